"use client";
// Settings of a consortium: members and roles (owners change them), invitations (owners invite an email
// and share the one-time link; nothing exists for the invitee until they accept), and API tokens — a new
// token's secret is shown once, then only its prefix.
import { useParams } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { getFragmentData, graphql, type FragmentType } from "@/gql";
import { AppShell, atLeast, useShell } from "@/components/shell/AppShell";
import type { Role, SettingsInvitationsFragment } from "@/gql/graphql";
import { Alert, Avatar, Badge, Card, Empty, ErrorText, PageHead, SkeletonRows, fmtWhen, useToast } from "@/components/ui";
import { describeError, errorsByField } from "@/lib/errors";

// Each card declares what it reads as a fragment on Consortium; the page's query only spreads them.
const MembersDoc = graphql(`
  fragment SettingsMembers on Consortium {
    id
    members(first: 100) { nodes { id role createdAt user { id name email } site { id code } } }
  }
`);
const InvitationsDoc = graphql(`
  fragment SettingsInvitations on Consortium {
    id
    sites(first: 100) { nodes { id code } }
    invitations(first: 100) { nodes { id email role status expiresAt createdAt site { id code } } }
  }
`);
const TokensDoc = graphql(`
  fragment SettingsTokens on Consortium {
    id
    apiTokens(first: 100) { nodes { id name prefix role expiresAt lastUsedAt revokedAt createdAt } }
  }
`);

const SettingsDoc = graphql(`
  query ConsortiumSettings($id: ID!) {
    node(id: $id) {
      ... on Consortium {
        id name viewerRole
        ...SettingsMembers ...SettingsInvitations ...SettingsTokens
      }
    }
  }
`);

const MemberUpdate = graphql(`
  mutation MemberUpdate($input: MembershipUpdateInput!) { membershipUpdate(input: $input) { membership { id role } errors { code field message } } }
`);
const InviteCreate = graphql(`
  mutation InviteCreate($input: InvitationCreateInput!) { invitationCreate(input: $input) { invitation { id email role expiresAt } token acceptPath errors { code field message } } }
`);
const InviteRevoke = graphql(`
  mutation InviteRevoke($input: InvitationRevokeInput!) { invitationRevoke(input: $input) { invitation { id status } errors { code field message } } }
`);
const TokenCreate = graphql(`
  mutation TokenCreate($input: ApiTokenCreateInput!) { apiTokenCreate(input: $input) { apiToken { id name prefix role expiresAt createdAt } secret errors { code field message } } }
`);
const TokenRevoke = graphql(`
  mutation TokenRevoke($input: ApiTokenRevokeInput!) { apiTokenRevoke(input: $input) { apiToken { id revokedAt } errors { code field message } } }
`);

const ROLES: Role[] = ["OWNER", "CURATOR", "REVIEWER", "VIEWER"];

export default function SettingsPage() {
  const { id } = useParams<{ id: string }>();
  const { data, loading, error, refetch } = useQuery(SettingsDoc, { variables: { id } });
  const c = data?.node?.__typename === "Consortium" ? data.node : null;
  return (
    <AppShell scope={{ consortiumId: id }} crumbs={[{ label: c?.name ?? "Consortium", href: `/c/${id}` }, { label: "Settings" }]}>
      <PageHead title="Members & API tokens" sub={c ? `${c.name} · your role: ${c.viewerRole?.toLowerCase() ?? "—"}` : undefined} />
      {error && !c && <div className="alert bad">{error.message}</div>}
      {loading && !c ? <SkeletonRows rows={8} /> : !c ? <Empty title="Consortium not found" /> : (
        <div className="grid cols-2">
          <div className="stack">
            <Members c={c} />
            <Invitations c={c} onChange={() => void refetch()} />
          </div>
          <Tokens c={c} onChange={() => void refetch()} />
        </div>
      )}
    </AppShell>
  );
}

function Members({ c: ref }: { c: FragmentType<typeof MembersDoc> }) {
  const c = getFragmentData(MembersDoc, ref);
  const { role } = useShell();
  const toast = useToast();
  const [update] = useMutation(MemberUpdate);
  const [errs, setErrs] = useState<Record<string, string>>({});
  const owner = atLeast(role, "OWNER");
  return (
    <Card title={`Members · ${c.members.nodes.length}`} flush testId="members">
      <table className="table">
        <thead><tr><th>member</th><th>role</th><th>site scope</th><th>since</th></tr></thead>
        <tbody>
          {c.members.nodes.map((m) => (
            <tr key={m.id}>
              <td className="row" style={{ flexWrap: "nowrap" }}><Avatar name={m.user.name} /><div><b>{m.user.name}</b><div className="muted small">{m.user.email}</div></div></td>
              <td>
                {owner ? (
                  <select className="input" value={m.role} aria-label={`role of ${m.user.name}`} onChange={async (e) => {
                    setErrs((x) => ({ ...x, [m.id]: "" }));
                    try {
                      const { data } = await update({ variables: { input: { membershipId: m.id, role: e.target.value as Role } } });
                      const p = data?.membershipUpdate;
                      if (p?.errors.length) setErrs((x) => ({ ...x, [m.id]: Object.values(errorsByField(p.errors)).join(" ") }));
                      else toast(`${m.user.name} is now ${p?.membership?.role.toLowerCase()}`, "ok");
                    } catch (err) { setErrs((x) => ({ ...x, [m.id]: describeError(err) })); }
                  }}>
                    {ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
                  </select>
                ) : <Badge>{m.role.toLowerCase()}</Badge>}
                <ErrorText>{errs[m.id]}</ErrorText>
              </td>
              <td>{m.site ? <code>{m.site.code}</code> : <span className="muted">all sites</span>}</td>
              <td className="muted">{fmtWhen(m.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** Owners see the pending invitations (the field is null for everyone else, and the card is left out). */
function Invitations({ c: ref, onChange }: { c: FragmentType<typeof InvitationsDoc>; onChange: () => void }) {
  const c = getFragmentData(InvitationsDoc, ref);
  return c.invitations ? <InvitationsCard c={c} invitations={c.invitations.nodes} onChange={onChange} /> : null;
}

function InvitationsCard({ c, invitations, onChange }: { c: SettingsInvitationsFragment; invitations: NonNullable<SettingsInvitationsFragment["invitations"]>["nodes"]; onChange: () => void }) {
  const [create, { loading }] = useMutation(InviteCreate);
  const [revoke] = useMutation(InviteRevoke);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("VIEWER");
  const [siteId, setSiteId] = useState("");
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  return (
    <Card title={`Invitations · ${invitations.length} pending`} testId="invitations">
      {link && (
        <div className="alert info" style={{ marginBottom: 12 }} data-testid="invite-link">
          <b>Send this link to {link.email} yourself.</b> It works once, for 7 days, and is shown only now. They choose their own password (or, if they already have an account, accept after signing in).
          <div className="row" style={{ marginTop: 6 }}>
            <code style={{ background: "#fff", padding: "3px 6px", borderRadius: 4, wordBreak: "break-all" }}>{link.url}</code>
            <button className="btn sm" type="button" onClick={() => void navigator.clipboard?.writeText(link.url)}>Copy</button>
            <button className="btn sm ghost" type="button" onClick={() => setLink(null)}>Done</button>
          </div>
        </div>
      )}
      <form className="row" style={{ alignItems: "flex-start", marginBottom: 12 }} noValidate onSubmit={async (e) => {
        e.preventDefault();
        const local: Record<string, string> = {};
        if (!/^\S+@\S+\.\S+$/.test(email.trim())) local.email = "Enter the person's email address.";
        setErrs(local);
        if (Object.keys(local).length) return;
        try {
          const { data } = await create({ variables: { input: { consortiumId: c.id, email: email.trim(), role, ...(siteId ? { siteId } : {}) } } });
          const p = data?.invitationCreate;
          if (p?.acceptPath && p.invitation) {
            setLink({ email: p.invitation.email, url: `${window.location.origin}${p.acceptPath}` });
            setEmail("");
            onChange();
          } else setErrs(errorsByField(p?.errors));
        } catch (err) { setErrs({ "": describeError(err) }); }
      }}>
        <div className="field" style={{ margin: 0 }}>
          <input className={`input ${errs.email ? "invalid" : ""}`} type="email" placeholder="email to invite" value={email} onChange={(e) => setEmail(e.target.value)} aria-label="Email to invite" />
          <ErrorText testId="invite-email-error">{errs.email}</ErrorText>
        </div>
        <select className="input" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="Invited role">
          {ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
        </select>
        <select className="input" value={siteId} onChange={(e) => setSiteId(e.target.value)} aria-label="Site scope">
          <option value="">all sites</option>
          {c.sites.nodes.map((s) => <option key={s.id} value={s.id}>{s.code}</option>)}
        </select>
        <button className="btn primary" disabled={loading}>Invite</button>
        <ErrorText>{errs[""] ?? errs.role ?? errs.siteId ?? errs.input}</ErrorText>
      </form>
      {invitations.length === 0 ? <Empty title="No pending invitations">Invite someone by email; you get a link to send them.</Empty> : (
        <table className="table">
          <thead><tr><th>email</th><th>role</th><th>site</th><th>expires</th><th /></tr></thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td><Badge>{i.role.toLowerCase()}</Badge></td>
                <td>{i.site ? <code>{i.site.code}</code> : <span className="muted">all sites</span>}</td>
                <td className="muted">{i.expiresAt.slice(0, 10)}</td>
                <td>
                  <button className="btn sm danger" type="button" onClick={async () => {
                    const { data } = await revoke({ variables: { input: { invitationId: i.id } } }).catch((e) => { setErrs({ "": describeError(e) }); return { data: null }; });
                    if (data?.invitationRevoke.errors.length) setErrs(errorsByField(data.invitationRevoke.errors));
                    else onChange();
                  }}>Revoke</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function Tokens({ c: ref, onChange }: { c: FragmentType<typeof TokensDoc>; onChange: () => void }) {
  const c = getFragmentData(TokensDoc, ref);
  const { role } = useShell();
  const [create, { loading }] = useMutation(TokenCreate);
  const [revoke] = useMutation(TokenRevoke);
  const [name, setName] = useState("");
  const [tokRole, setTokRole] = useState<Role>("VIEWER");
  const [expires, setExpires] = useState("");
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const canCreate = atLeast(role, "CURATOR");
  return (
    <Card title="API tokens" testId="tokens">
      {secret && (
        <div className="alert info" style={{ marginBottom: 12 }} data-testid="token-secret">
          <b>Copy the token for “{secret.name}” now.</b> It is shown only once; afterwards only its prefix is kept.
          <div className="row" style={{ marginTop: 6 }}>
            <code style={{ background: "#fff", padding: "3px 6px", borderRadius: 4, wordBreak: "break-all" }}>{secret.secret}</code>
            <button className="btn sm" onClick={() => void navigator.clipboard?.writeText(secret.secret)}>Copy</button>
            <button className="btn sm ghost" onClick={() => setSecret(null)}>Done</button>
          </div>
        </div>
      )}
      {canCreate && (
        <form className="row" style={{ alignItems: "flex-start", marginBottom: 12 }} onSubmit={async (e) => {
          e.preventDefault();
          const local: Record<string, string> = {};
          if (!name.trim()) local.name = "Give the token a name, e.g. the pipeline that will use it.";
          if (expires && Number.isNaN(Date.parse(expires))) local.expiresAt = "Expiry must be a date.";
          setErrs(local);
          if (Object.keys(local).length) return;
          try {
            const { data } = await create({ variables: { input: { consortiumId: c.id, name: name.trim(), role: tokRole, ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) } } });
            const p = data?.apiTokenCreate;
            if (p?.secret && p.apiToken) { setSecret({ name: p.apiToken.name, secret: p.secret }); setName(""); onChange(); }
            else setErrs(errorsByField(p?.errors));
          } catch (err) { setErrs({ "": describeError(err) }); }
        }}>
          <div className="field" style={{ margin: 0 }}>
            <input className={`input ${errs.name ? "invalid" : ""}`} placeholder="token name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Token name" />
            <ErrorText>{errs.name}</ErrorText>
          </div>
          <select className="input" value={tokRole} onChange={(e) => setTokRole(e.target.value as Role)} aria-label="Token role">
            {ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
          </select>
          <div className="field" style={{ margin: 0 }}>
            <input className="input" type="date" value={expires} onChange={(e) => setExpires(e.target.value)} aria-label="Expires" />
            <ErrorText>{errs.expiresAt}</ErrorText>
          </div>
          <button className="btn primary" disabled={loading}>Create token</button>
          <ErrorText>{errs[""] ?? errs.role ?? errs.input}</ErrorText>
        </form>
      )}
      {!c.apiTokens || c.apiTokens.nodes.length === 0 ? <Empty title="No API tokens">Training pipelines use tokens to read manifests and report evaluations.</Empty> : (
        <table className="table">
          <thead><tr><th>name</th><th>prefix</th><th>role</th><th>last used</th><th>expires</th><th /></tr></thead>
          <tbody>
            {c.apiTokens.nodes.map((t) => (
              <tr key={t.id} style={t.revokedAt ? { opacity: 0.5 } : undefined}>
                <td><b>{t.name}</b></td>
                <td><code>{t.prefix}…</code></td>
                <td><Badge>{t.role.toLowerCase()}</Badge></td>
                <td className="muted">{fmtWhen(t.lastUsedAt)}</td>
                <td className="muted">{t.expiresAt ? t.expiresAt.slice(0, 10) : "never"}</td>
                <td>{t.revokedAt ? <Badge tone="bad">revoked</Badge> : canCreate && (
                  <button className="btn sm danger" onClick={async () => {
                    const { data } = await revoke({ variables: { input: { apiTokenId: t.id } } }).catch((e) => { setErrs({ "": describeError(e) }); return { data: null }; });
                    if (data?.apiTokenRevoke.errors.length) setErrs(errorsByField(data.apiTokenRevoke.errors));
                    else onChange();
                  }}>Revoke</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!canCreate && <Alert tone="info">Curators and owners can create tokens.</Alert>}
    </Card>
  );
}
