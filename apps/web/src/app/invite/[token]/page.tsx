"use client";
// The accept page of an invitation link (/invite/<token>). A new person chooses their own name and
// password (the account is created and signed in); someone with an account signs in as the invited
// email and accepts. The link is single-use and expires; the API says why when it no longer works.
import { useParams } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "@/gql";
import { describeError, errorsByField } from "@/lib/errors";
import { ErrorText } from "@/components/ui";

const PreviewDoc = graphql(`
  query InvitationPreview($token: String!) {
    invitationPreview(token: $token) { consortiumName email role siteCode status expiresAt signedInAsInvitee signedInAs }
  }
`);
const AcceptDoc = graphql(`
  mutation InvitationAccept($input: InvitationAcceptInput!) {
    invitationAccept(input: $input) { membership { id consortium { id } } user { id } errors { code field message } }
  }
`);
const LogoutDoc = graphql(`
  mutation InviteLogout { sessionLogout(input: {}) { loggedOut errors { code message } } }
`);

const GONE: Record<string, string> = {
  ACCEPTED: "This invitation was already accepted. Each link works once.",
  REVOKED: "This invitation was withdrawn. Ask the consortium for a new one.",
  EXPIRED: "This invitation has expired. Ask the consortium for a new one.",
};

export default function InvitePage() {
  const { token } = useParams<{ token: string }>();
  const { data, loading, error } = useQuery(PreviewDoc, { variables: { token }, fetchPolicy: "network-only" });
  const [accept, { loading: accepting }] = useMutation(AcceptDoc);
  const [logout] = useMutation(LogoutDoc);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const inv = data?.invitationPreview;
  const here = `/invite/${encodeURIComponent(token)}`;

  async function submit(input: { token: string; name?: string; password?: string }) {
    try {
      const { data: r } = await accept({ variables: { input } });
      const p = r?.invitationAccept;
      if (p?.membership) {
        // A full navigation: every query starts fresh under the (possibly new) session cookie.
        window.location.href = `/c/${p.membership.consortium.id}`;
        return;
      }
      setErrors(errorsByField(p?.errors));
    } catch (err) {
      setErrors({ "": describeError(err) });
    }
  }

  function create(e: React.FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!name.trim()) local.name = "Enter your name.";
    if (password.length < 8) local.password = "Choose a password of at least 8 characters.";
    else if (password !== confirm) local.confirm = "The passwords differ.";
    setErrors(local);
    if (Object.keys(local).length) return;
    void submit({ token, name: name.trim(), password });
  }

  return (
    <div className="auth">
      <div className="card" data-testid="invite">
        <h1>Join a consortium on Stratum</h1>
        {loading ? <p className="muted">Checking the invitation…</p>
          : error ? <ErrorText>{describeError(error)}</ErrorText>
          : !inv ? <p data-testid="invite-gone">This link is not a valid invitation. Check that you copied all of it.</p>
          : inv.status !== "PENDING" ? <p data-testid="invite-gone">{GONE[inv.status] ?? inv.status}</p>
          : (
            <>
              <p>
                <b>{inv.consortiumName}</b> invites <b>{inv.email}</b> as <b>{inv.role.toLowerCase()}</b>
                {inv.siteCode ? <> (site <code>{inv.siteCode}</code> only)</> : null}. The link works until {inv.expiresAt.slice(0, 10)}.
              </p>
              {inv.signedInAsInvitee ? (
                <button className="btn primary" disabled={accepting} onClick={() => void submit({ token })} style={{ width: "100%", justifyContent: "center" }}>
                  {accepting ? "Accepting…" : "Accept the invitation"}
                </button>
              ) : inv.signedInAs ? (
                <>
                  <p className="muted">You are signed in as {inv.signedInAs}; this invitation is for {inv.email}.</p>
                  <button className="btn" onClick={async () => { await logout().catch(() => null); window.location.reload(); }}>Sign out</button>
                </>
              ) : (
                <>
                  <form onSubmit={create} noValidate>
                    <p className="muted" style={{ marginTop: 0 }}>New to Stratum? Choose your name and password.</p>
                    <div className="field">
                      <label htmlFor="name">Your name</label>
                      <input id="name" className={`input ${errors.name ? "invalid" : ""}`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" autoFocus />
                      <ErrorText testId="name-error">{errors.name}</ErrorText>
                    </div>
                    <div className="field">
                      <label htmlFor="password">Password</label>
                      <input id="password" className={`input ${errors.password ? "invalid" : ""}`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
                      <ErrorText testId="password-error">{errors.password}</ErrorText>
                    </div>
                    <div className="field">
                      <label htmlFor="confirm">Password again</label>
                      <input id="confirm" className={`input ${errors.confirm ? "invalid" : ""}`} type="password" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="new-password" />
                      <ErrorText testId="confirm-error">{errors.confirm}</ErrorText>
                    </div>
                    <button className="btn primary" type="submit" disabled={accepting} style={{ width: "100%", justifyContent: "center" }}>
                      {accepting ? "Creating your account…" : "Create account and join"}
                    </button>
                  </form>
                  <p className="muted small" style={{ marginBottom: 0 }}>
                    Already have an account for {inv.email}? <a href={`/signin?next=${encodeURIComponent(here)}`}>Sign in</a> and you come back here to accept.
                  </p>
                </>
              )}
              <ErrorText testId="invite-error">{errors[""] ?? errors.token ?? errors.input}</ErrorText>
            </>
          )}
      </div>
    </div>
  );
}
