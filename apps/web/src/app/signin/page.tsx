"use client";
import { useMutation } from "@apollo/client/react";
import { useState } from "react";
import { graphql } from "@/gql";
import { describeError, errorsByField } from "@/lib/errors";
import { ErrorText } from "@/components/ui";

const LoginMutation = graphql(`
  mutation SignIn($input: SessionLoginInput!) {
    sessionLogin(input: $input) {
      user { id name }
      errors { code field message }
    }
  }
`);

export default function SignInPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [login, { loading }] = useMutation(LoginMutation);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!/^\S+@\S+$/.test(email)) local.email = "Enter the email address of your account.";
    if (!password) local.password = "Enter your password.";
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const { data } = await login({ variables: { input: { email, password } } });
      const payload = data?.sessionLogin;
      if (payload?.user) {
        const next = new URLSearchParams(window.location.search).get("next");
        // A full navigation so every query starts fresh under the new session cookie.
        window.location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/overview";
        return;
      }
      setErrors(errorsByField(payload?.errors));
    } catch (err) {
      setErrors({ "": describeError(err) });
    }
  }

  return (
    <div className="auth">
      <form className="card" onSubmit={submit} noValidate>
        <div className="row" style={{ marginBottom: 14 }}>
          <span className="logo" style={{ width: 26, height: 26, borderRadius: 6, background: "linear-gradient(135deg,#4c6ef5,#15aabf)", display: "grid", placeItems: "center", color: "#fff" }}>◧</span>
          <h1>Sign in to Stratum</h1>
        </div>
        <p className="muted" style={{ marginTop: 0 }}>Confounder-aware selection of images to annotate.</p>
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" className={`input ${errors.email ? "invalid" : ""}`} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
          <ErrorText testId="email-error">{errors.email}</ErrorText>
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" className={`input ${errors.password ? "invalid" : ""}`} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <ErrorText testId="password-error">{errors.password}</ErrorText>
        </div>
        <ErrorText testId="signin-error">{errors[""] ?? errors.input}</ErrorText>
        <button className="btn primary" type="submit" disabled={loading} style={{ width: "100%", justifyContent: "center", marginTop: 6 }}>
          {loading ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </div>
  );
}
