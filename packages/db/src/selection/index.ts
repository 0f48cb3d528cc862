export { SelectionWriteError, type SelectionWriteErrorCode } from "./errors.js";
export { insertColumns, type Column } from "./columns.js";
export { commitSelection, type CommitSelectionInput, type CommitSelectionResult, type SelectionItemInput } from "./commit-selection.js";
