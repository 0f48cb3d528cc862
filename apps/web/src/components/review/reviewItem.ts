// The review state of one queue item. The queue query, both review mutations and the reviewActivity
// subscription select it with the item's id, so Apollo's normalised cache holds one copy per item and
// every write (ours, or another reviewer's event) updates the queue in place: no state map of our own.
import { graphql } from "@/gql";

export const ReviewItemStateDoc = graphql(`
  fragment ReviewItemState on SelectionItem { id reviewDecision reviewComment reviewLabel reviewVersion }
`);
