"use client";
// New selection run: strategy, budget per class, allocation, pick inside groups, known confounders
// (declared metadata columns) and seed, with a sentence saying what will be balanced under the
// analysis' current verdicts. Validated here before sending; the server's field errors appear beside
// the same fields.
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useMemo, useState } from "react";
import { graphql } from "@/gql";
import { AppShell, atLeast, useViewerScope } from "@/components/shell/AppShell";
import { Alert, Card, Empty, ErrorText, PageHead, SkeletonRows, fmtInt, useToast } from "@/components/ui";
import { Allocation, Strategy, WithinGroup } from "@/gql/graphql";
import { ALLOCATIONS, STRATEGIES, WITHIN_GROUP, describeBalance, enumValue, validateRunForm, type RunFormValues } from "@/lib/runForm";
import { describeError, errorsByField } from "@/lib/errors";
import { NO_CONSTRAINTS, constraintInput, validateConstraints, type ConstraintValues } from "@/lib/runConstraints";
import { RunConstraintsFields } from "@/components/subset/Subsets";

/** CONFOUNDER_AWARE → confounder-aware, for the default run name. */
const slug = (value: string) => value.toLowerCase().replace(/_/g, "-");

const NewRunQuery = graphql(`
  query NewRunVersion($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id number sampleCount
        labelCounts { label count }
        metadataColumns { name levels missing declarable }
        dataset { id name project { id name consortium { id } } }
      }
    }
  }
`);

// Embedding sets and analyses to choose from.
const NewRunInputsQuery = graphql(`
  query NewRunInputs($id: ID!) {
    node(id: $id) {
      ... on DatasetVersion {
        id
        embeddingSets(first: 20) { nodes { id status model { id name } } }
        analyses(first: 20) { nodes { id status createdAt embeddingSet { id model { id name } } } }
      }
    }
  }
`);

// The chosen analysis' groups with their verdicts and names, for the plain-words sentence.
const NewRunGroupsQuery = graphql(`
  query NewRunGroups($id: ID!) {
    node(id: $id) {
      ... on ConfounderAnalysis { id groups { id label index isNoise verdict name } }
    }
  }
`);

const RunStart = graphql(`
  mutation RunStart($input: SelectionRunStartInput!) {
    selectionRunStart(input: $input) { run { id name status } errors { code field message } }
  }
`);

export default function NewRunPage() {
  const { id } = useParams<{ id: string }>();
  const search = useSearchParams();
  const router = useRouter();
  const toast = useToast();
  const { data, loading } = useQuery(NewRunQuery, { variables: { id } });
  const v = data?.node?.__typename === "DatasetVersion" ? data.node : null;
  const { role } = useViewerScope(v?.dataset.project.consortium.id);
  const inputsQ = useQuery(NewRunInputsQuery, { variables: { id } });
  const w = inputsQ.data?.node?.__typename === "DatasetVersion" ? inputsQ.data.node : null;
  const analyses = useMemo(() => w?.analyses.nodes.filter((a) => a.status === "SUCCEEDED") ?? [], [w]);
  const [values, setValues] = useState<RunFormValues>({ name: "", strategy: Strategy.CONFOUNDER_AWARE, perClass: "50", allocation: Allocation.BALANCED, withinGroup: WithinGroup.FACILITY_LOCATION, seed: "1", analysisId: search.get("analysis") ?? "", declared: [] });
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Pool subset, exclusions and must-include rows (issue 14): components/subset, lib/runConstraints.ts.
  const [constraints, setConstraints] = useState<ConstraintValues>(NO_CONSTRAINTS);
  const [start, { loading: sending }] = useMutation(RunStart);
  useEffect(() => {
    if (!values.analysisId && analyses[0]) setValues((x) => ({ ...x, analysisId: analyses[0]!.id }));
  }, [analyses, values.analysisId]);
  const groupsQ = useQuery(NewRunGroupsQuery, { variables: { id: values.analysisId }, skip: !values.analysisId });
  const groups = groupsQ.data?.node?.__typename === "ConfounderAnalysis" ? groupsQ.data.node.groups : null;
  const columns = v?.metadataColumns ?? [];
  const declared = values.declared ?? [];
  const toggleDeclared = (name: string) =>
    setValues((x) => {
      const cur = x.declared ?? [];
      const next = cur.includes(name) ? cur.filter((c) => c !== name) : [...cur, name];
      // Keep the columns' order (site first), so the sentence and the run read the same way.
      return { ...x, declared: columns.map((c) => c.name).filter((c) => next.includes(c)) };
    });
  // The server allows up to the largest class (a smaller class is taken whole); so does the form.
  const largest = v && v.labelCounts.length ? Math.max(...v.labelCounts.map((l) => l.count)) : null;
  const strategy = STRATEGIES.find((s) => s.id === values.strategy);
  const set = (k: keyof RunFormValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setValues((x) => ({ ...x, [k]: e.target.value }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const local = { ...validateRunForm(values, largest), ...validateConstraints(constraints, Number(values.perClass), true, []) };
    setErrors(local);
    if (Object.keys(local).length || !v) return;
    // validateRunForm checked these against the generated enums.
    const chosen = enumValue(Strategy, values.strategy)!;
    const allocation = enumValue(Allocation, values.allocation);
    const withinGroup = enumValue(WithinGroup, values.withinGroup);
    const analysis = analyses.find((a) => a.id === values.analysisId);
    const embeddingSetId = analysis?.embeddingSet?.id ?? w?.embeddingSets.nodes.find((s) => s.status === "COMPLETE")?.id;
    if (!embeddingSetId) {
      setErrors({ "": "This version has no complete embedding set yet: compute embeddings first (version page)." });
      return;
    }
    try {
      const { data } = await start({
        variables: {
          input: {
            datasetVersionId: v.id,
            strategy: chosen,
            perClass: Number(values.perClass),
            seed: Number(values.seed.trim()),
            name: values.name || `${slug(chosen)}${strategy?.needsAnalysis && allocation ? `-${slug(allocation)}` : ""}-${values.perClass}`,
            ...(strategy?.needsAnalysis
              ? { allocation, withinGroup, analysisId: values.analysisId, ...(declared.length ? { declaredConfounders: declared } : {}) }
              : {}),
            embeddingSetId,
            ...constraintInput(constraints),
          },
        },
      });
      const p = data?.selectionRunStart;
      if (p?.run) {
        toast(`Run “${p.run.name}” started`, "ok");
        router.push(`/runs/${p.run.id}`);
      } else setErrors(errorsByField(p?.errors));
    } catch (err) {
      setErrors({ "": describeError(err) });
    }
  }

  return (
    <AppShell
      scope={{ consortiumId: v?.dataset.project.consortium.id, projectId: v?.dataset.project.id }}
      crumbs={[{ label: v?.dataset.project.name ?? "…", href: v ? `/p/${v.dataset.project.id}` : undefined }, { label: v ? `${v.dataset.name} v${v.number}` : "…", href: `/versions/${id}` }, { label: "New selection run" }]}
    >
      <PageHead title="New selection run" sub={v ? `${v.dataset.name} v${v.number} · ${fmtInt(v.sampleCount)} samples in ${v.labelCounts.length} classes` : undefined} />
      {(loading && !v) || !role ? <SkeletonRows /> : !v ? <Empty title="Version not found" /> : !atLeast(role, "CURATOR") ? (
        <Alert tone="warn">Your role ({role.toLowerCase()}) cannot start selection runs. Ask a curator.</Alert>
      ) : (
        <div className="grid side">
          <Card>
            <form onSubmit={submit} noValidate data-testid="new-run-form">
              <div className="field">
                <label>Strategy</label>
                <div className="grid cols-2" style={{ gap: 8 }}>
                  {STRATEGIES.map((s) => (
                    <label key={s.id} className="card" style={{ padding: "8px 10px", cursor: "pointer", borderColor: values.strategy === s.id ? "var(--accent)" : undefined, background: values.strategy === s.id ? "var(--accent-2)" : undefined }}>
                      <input type="radio" name="strategy" value={s.id} checked={values.strategy === s.id} onChange={set("strategy")} style={{ marginRight: 6 }} />
                      <b>{s.label}</b>
                      <div className="muted small">{s.hint}</div>
                    </label>
                  ))}
                </div>
                <ErrorText testId="strategy-error">{errors.strategy}</ErrorText>
              </div>
              <div className="grid cols-3" style={{ gap: 12 }}>
                <div className="field">
                  <label htmlFor="budget">Budget per class</label>
                  <input id="budget" name="perClass" className={`input ${errors.perClass ? "invalid" : ""}`} inputMode="numeric" value={values.perClass} onChange={set("perClass")} />
                  <span className="hint">{largest != null ? `at most ${fmtInt(largest)} (largest class); smaller classes are taken whole` : ""}</span>
                  <ErrorText testId="budget-error">{errors.perClass}</ErrorText>
                </div>
                <div className="field">
                  <label htmlFor="seed">Seed</label>
                  <input id="seed" name="seed" className={`input ${errors.seed ? "invalid" : ""}`} inputMode="numeric" value={values.seed} onChange={set("seed")} />
                  <span className="hint">same inputs + seed → same manifest</span>
                  <ErrorText testId="seed-error">{errors.seed}</ErrorText>
                </div>
                <div className="field">
                  <label htmlFor="name">Name <span className="muted">(optional)</span></label>
                  <input id="name" name="name" className={`input ${errors.name ? "invalid" : ""}`} value={values.name} onChange={set("name")} placeholder="auto" />
                  <ErrorText>{errors.name}</ErrorText>
                </div>
              </div>
              {strategy?.needsAnalysis && (
                <div className="grid cols-2" style={{ gap: 12 }}>
                  <div className="field">
                    <label htmlFor="allocation">Allocation across groups</label>
                    <select id="allocation" name="allocation" className="input" value={values.allocation} onChange={set("allocation")}>
                      {ALLOCATIONS.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
                    </select>
                    <span className="hint">{ALLOCATIONS.find((a) => a.id === values.allocation)?.hint}</span>
                    <ErrorText>{errors.allocation}</ErrorText>
                  </div>
                  <div className="field">
                    <label htmlFor="withinGroup">Pick inside each group</label>
                    <select id="withinGroup" name="withinGroup" className="input" value={values.withinGroup} onChange={set("withinGroup")}>
                      {WITHIN_GROUP.map((w) => <option key={w.id} value={w.id}>{w.label}</option>)}
                    </select>
                    <span className="hint">{WITHIN_GROUP.find((w) => w.id === values.withinGroup)?.hint}</span>
                    <ErrorText>{errors.withinGroup}</ErrorText>
                  </div>
                  <div className="field">
                    <label htmlFor="analysis">Confounder analysis</label>
                    <select id="analysis" name="analysisId" className={`input ${errors.analysisId ? "invalid" : ""}`} value={values.analysisId} onChange={set("analysisId")}>
                      <option value="">{analyses.length ? "choose…" : "none finished yet"}</option>
                      {analyses.map((a) => <option key={a.id} value={a.id}>{a.embeddingSet?.model?.name ?? "—"} · {a.createdAt.slice(0, 16).replace("T", " ")}</option>)}
                    </select>
                    <ErrorText testId="analysis-error">{errors.analysisId}</ErrorText>
                  </div>
                  <div className="field">
                    <label id="declared-label">Known confounders <span className="muted">(optional)</span></label>
                    <div role="group" aria-labelledby="declared-label" data-testid="declared" style={{ display: "flex", flexWrap: "wrap", gap: "4px 12px" }}>
                      {columns.length === 0 && <span className="muted small">no metadata columns</span>}
                      {columns.map((c) => (
                        <label key={c.name} className="small" title={c.declarable ? `${c.levels} levels${c.missing ? `, ${c.missing} samples without a value` : ""}` : `${c.levels} level${c.levels === 1 ? "" : "s"}: only columns with 2 to 64 levels can be balanced`}>
                          <input type="checkbox" name="declared" value={c.name} checked={declared.includes(c.name)} disabled={!c.declarable} onChange={() => toggleDeclared(c.name)} style={{ marginRight: 4 }} />
                          {c.name} <span className="muted">({c.levels})</span>
                        </label>
                      ))}
                    </div>
                    <span className="hint">Columns you know affect the images (site, scanner…): picks are balanced across their levels first.</span>
                    <ErrorText testId="declared-error">{[errors.declared, errors.declaredConfounders].filter(Boolean).join(" ")}</ErrorText>
                  </div>
                </div>
              )}
              {strategy?.needsAnalysis && values.analysisId && (
                <p className="small" data-testid="balance-sentence" style={{ margin: "4px 0 8px" }}>
                  {describeBalance({ perClass: Number(values.perClass) || 0, allocation: values.allocation, declared, groups })}
                </p>
              )}
              <RunConstraintsFields versionId={v.id} value={constraints} onChange={setConstraints} errors={errors} />
              <ErrorText testId="form-error">{[errors[""] ?? errors.input, errors.embeddingSetId, errors.datasetVersionId].filter(Boolean).join(" ")}</ErrorText>
              <div className="row" style={{ marginTop: 8 }}>
                <button className="btn primary" type="submit" disabled={sending || !w} data-testid="start-run">{sending ? "Starting…" : "Start run"}</button>
              </div>
            </form>
          </Card>
          <Card title="Pool">
            {v.labelCounts.map((l) => (
              <div key={l.label} className="row" style={{ justifyContent: "space-between" }}>
                <span>{l.label}</span><span className="num">{fmtInt(l.count)} → <b>{fmtInt(Math.min(l.count, Number(values.perClass) || 0))}</b></span>
              </div>
            ))}
          </Card>
        </div>
      )}
    </AppShell>
  );
}
