export { GateOutcome } from './GateOutcome';
export {
  GateResultsTable,
  gateRule,
  gateSummaryText,
} from './GateResultsTable';
