"use client";
// The frame around every signed-in page: left navigation with the consortium/project switcher, a top
// bar with breadcrumbs and the live-connection dot. Pages tell it which consortium/project they are
// in; otherwise it uses the last one chosen (kept in localStorage).
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { graphql } from "@/gql";
import type { Role } from "@/gql/graphql";
import { useLiveStatus } from "@/lib/apollo";
import { Avatar, Skeleton } from "@/components/ui";

export const ShellViewerQuery = graphql(`
  query ShellViewer {
    viewer {
      user { id name email }
      memberships(first: 100) { nodes { id role consortium { id name slug } } }
    }
  }
`);

const ShellProjectsQuery = graphql(`
  query ShellProjects($consortiumId: ID!) {
    node(id: $consortiumId) {
      ... on Consortium { id projects(first: 100) { nodes { id name } } }
    }
  }
`);

const LogoutMutation = graphql(`
  mutation ShellLogout { sessionLogout(input: {}) { loggedOut errors { code message } } }
`);

export interface ShellScope {
  consortiumId?: string | null;
  projectId?: string | null;
}

interface ShellInfo {
  userName: string;
  userId: string;
  /** The viewer's role in the current consortium. */
  role: Role | null;
  consortiumId: string | null;
  projectId: string | null;
}

const ShellContext = createContext<ShellInfo>({ userName: "", userId: "", role: null, consortiumId: null, projectId: null });
export function useShell(): ShellInfo {
  return useContext(ShellContext);
}

const ROLE_RANK: Record<Role, number> = { OWNER: 4, CURATOR: 3, REVIEWER: 2, VIEWER: 1 };
export function atLeast(role: Role | null, min: Role): boolean {
  return role != null && ROLE_RANK[role] >= ROLE_RANK[min];
}

const LS_KEY = "stratum.scope";

export function AppShell({ crumbs, scope, children }: { crumbs?: Array<{ label: ReactNode; href?: string }>; scope?: ShellScope; children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const live = useLiveStatus();
  const { data, loading, error } = useQuery(ShellViewerQuery, { fetchPolicy: "cache-first" });
  const [stored, setStored] = useState<ShellScope>({});
  useEffect(() => {
    try {
      setStored(JSON.parse(localStorage.getItem(LS_KEY) ?? "{}") as ShellScope);
    } catch {
      /* ignore a corrupt value */
    }
  }, []);
  const memberships = data?.viewer?.memberships.nodes ?? [];
  const consortiumId = scope?.consortiumId ?? stored.consortiumId ?? memberships[0]?.consortium.id ?? null;
  const projectId = scope?.projectId ?? (consortiumId === stored.consortiumId ? stored.projectId : null) ?? null;
  useEffect(() => {
    if (scope?.consortiumId || scope?.projectId) {
      const next = { consortiumId: scope.consortiumId ?? stored.consortiumId, projectId: scope.projectId ?? stored.projectId };
      localStorage.setItem(LS_KEY, JSON.stringify(next));
    }
  }, [scope?.consortiumId, scope?.projectId, stored.consortiumId, stored.projectId]);

  const projects = useQuery(ShellProjectsQuery, { variables: { consortiumId: consortiumId ?? "" }, skip: !consortiumId, fetchPolicy: "cache-first" });
  const projectList = projects.data?.node?.__typename === "Consortium" ? projects.data.node.projects.nodes : [];

  const [logout] = useMutation(LogoutMutation);

  // Not signed in: go to the sign-in page and come back here afterwards.
  useEffect(() => {
    if (!loading && data && !data.viewer) router.replace(`/signin?next=${encodeURIComponent(pathname)}`);
  }, [loading, data, router, pathname]);

  const role = (memberships.find((m) => m.consortium.id === consortiumId)?.role ?? null) as Role | null;
  const info: ShellInfo = { userName: data?.viewer?.user.name ?? "", userId: data?.viewer?.user.id ?? "", role, consortiumId, projectId };
  const nav = (href: string, label: string, ico: string, match?: string) => (
    <Link href={href} className={pathname === href || (match && pathname.startsWith(match)) ? "active" : ""}>
      <span className="ico">{ico}</span>
      {label}
    </Link>
  );

  return (
    <ShellContext.Provider value={info}>
      <div className="shell">
        <aside className="nav" data-testid="nav">
          <div className="nav-brand">
            <span className="logo">◧</span>Stratum
          </div>
          <div className="nav-label" style={{ padding: "6px 18px 2px" }}>Consortium</div>
          <div className="switcher">
            <select
              aria-label="Consortium"
              data-testid="consortium-switcher"
              value={consortiumId ?? ""}
              onChange={(e) => {
                localStorage.setItem(LS_KEY, JSON.stringify({ consortiumId: e.target.value, projectId: null }));
                router.push(`/c/${encodeURIComponent(e.target.value)}`);
              }}
            >
              {memberships.length === 0 && <option value="">—</option>}
              {memberships.map((m) => (
                <option key={m.consortium.id} value={m.consortium.id}>
                  {m.consortium.name}
                </option>
              ))}
            </select>
          </div>
          <div className="nav-label" style={{ padding: "6px 18px 2px" }}>Project</div>
          <div className="switcher">
            <select
              aria-label="Project"
              data-testid="project-switcher"
              value={projectId ?? ""}
              onChange={(e) => {
                localStorage.setItem(LS_KEY, JSON.stringify({ consortiumId, projectId: e.target.value }));
                router.push(`/p/${encodeURIComponent(e.target.value)}`);
              }}
            >
              <option value="">{projectList.length ? "Choose a project…" : "—"}</option>
              {projectList.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div className="nav-section">
            <div className="nav-label">Work</div>
            {projectId ? nav(`/p/${projectId}`, "Overview", "▦") : consortiumId ? nav(`/c/${consortiumId}`, "Overview", "▦") : null}
            {nav("/compare", "Compare runs", "⇄", "/compare")}
            {nav("/review", "Review queue", "✓", "/review")}
          </div>
          {consortiumId && (
            <div className="nav-section">
              <div className="nav-label">Consortium</div>
              {nav(`/c/${consortiumId}/jobs`, "Jobs", "▶")}
              {nav(`/c/${consortiumId}/settings`, "Members & tokens", "⚙")}
              {nav(`/c/${consortiumId}/audit`, "Audit log", "≡")}
            </div>
          )}
          <div className="nav-foot">
            {data?.viewer ? (
              <div className="row" style={{ flexWrap: "nowrap" }}>
                <Avatar name={data.viewer.user.name} />
                <div style={{ minWidth: 0 }}>
                  <div style={{ color: "#e6eaf0", overflow: "hidden", textOverflow: "ellipsis" }} data-testid="viewer-name">{data.viewer.user.name}</div>
                  <div>{role?.toLowerCase() ?? ""}</div>
                </div>
              </div>
            ) : (
              <Skeleton h={26} />
            )}
            <button
              className="nav-item"
              style={{ marginTop: 8, padding: "4px 0" }}
              onClick={async () => {
                await logout().catch(() => undefined);
                localStorage.removeItem(LS_KEY);
                window.location.href = "/signin";
              }}
            >
              Sign out
            </button>
          </div>
        </aside>
        <div className="main">
          <header className="topbar">
            <nav className="crumbs" aria-label="Breadcrumbs">
              {(crumbs ?? []).map((c, i) => (
                <span key={i} className="row" style={{ gap: 6 }}>
                  {i > 0 && <span className="sep">/</span>}
                  {c.href ? <Link href={c.href}>{c.label}</Link> : <span style={{ color: "var(--text)" }}>{c.label}</span>}
                </span>
              ))}
            </nav>
            <span className="spacer" />
            <span className={`live-dot ${live === "connected" ? "on" : ""}`} title="Live updates over WebSocket" data-testid="live-status">
              {live === "connected" ? "live" : live === "connecting" ? "connecting…" : live === "idle" ? "idle" : "reconnecting"}
            </span>
          </header>
          <main className="content">
            {error && !data ? (
              <div className="alert bad">Cannot load your account: {error.message}</div>
            ) : (
              children
            )}
          </main>
        </div>
      </div>
    </ShellContext.Provider>
  );
}

/**
 * The same facts as useShell() for a page component itself (which renders <AppShell> and so sits
 * outside its context): the viewer, their role in `consortiumId` (or the last consortium used) and the
 * last project used.
 */
export function useViewerScope(consortiumId?: string | null): ShellInfo & { loading: boolean } {
  const { data, loading } = useQuery(ShellViewerQuery, { fetchPolicy: "cache-first" });
  const [stored, setStored] = useState<ShellScope>({});
  useEffect(() => {
    try {
      setStored(JSON.parse(localStorage.getItem(LS_KEY) ?? "{}") as ShellScope);
    } catch { /* ignore */ }
  }, []);
  const memberships = data?.viewer?.memberships.nodes ?? [];
  const cid = consortiumId ?? stored.consortiumId ?? memberships[0]?.consortium.id ?? null;
  const role = (memberships.find((m) => m.consortium.id === cid)?.role ?? null) as Role | null;
  return { loading, userName: data?.viewer?.user.name ?? "", userId: data?.viewer?.user.id ?? "", role, consortiumId: cid, projectId: stored.projectId ?? null };
}
