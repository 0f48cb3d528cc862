"use client";
// Where a section needs part of the API that did not answer: loading, or the API's own message (for
// instance "Cannot query field …" while the server does not serve that part yet).
import { describeError } from "@/lib/errors";
import { SkeletonRows } from "@/components/ui";

export function ApiGap({ error }: { error?: unknown }) {
  if (!error) return <SkeletonRows rows={3} />;
  return (
    <div className="empty" data-testid="api-gap">
      <div className="t">Not available from the API</div>
      <div className="small">{describeError(error)}</div>
    </div>
  );
}
