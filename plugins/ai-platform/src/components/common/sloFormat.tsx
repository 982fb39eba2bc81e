import type {
  SloObjectiveKind,
  SloObjectiveReport,
  SloStatus,
} from '@internal/plugin-ai-platform-common';
import { formatNumber } from '@internal/plugin-ai-platform-react';
import Chip from '@material-ui/core/Chip';

/** What each objective measures, as the pages name it. */
export const SLO_LABELS: Record<SloObjectiveKind, string> = {
  availability: 'Availability',
  ttft: 'Time to first token (p95)',
  latency: 'Request latency (p95)',
  itl: 'Inter-token latency (p95)',
};

/** A target as written in spec.slo: `≥ 99.9%`, `≤ 400 ms`. */
export function formatTarget(o: { kind: SloObjectiveKind; target: number }) {
  return o.kind === 'availability'
    ? `≥ ${formatNumber(o.target, 3)}%`
    : `≤ ${formatNumber(o.target, 0)} ms`;
}

/** A share (0..1) as a percentage with enough digits for SLOs: 99.95%. */
export function formatPercent(share: number, digits = 2) {
  return `${formatNumber(share * 100, digits)}%`;
}

/** Budget left: `60% left`, `20% overspent`. */
export function formatBudget(budgetLeft: number | undefined) {
  if (budgetLeft === undefined) return 'no data';
  return budgetLeft >= 0
    ? `${formatNumber(budgetLeft * 100, 1)}% left`
    : `${formatNumber(-budgetLeft * 100, 1)}% overspent`;
}

/** A burn rate: `2.3x`. */
export function formatBurn(rate: number | undefined) {
  return rate === undefined ? '–' : `${formatNumber(rate, 1)}x`;
}

/** How an objective stands, in words and colour. */
export function SloStatusChip(props: { status: SloStatus }) {
  const { label, color } = {
    ok: { label: 'Within budget', color: '#2e7d32' },
    burning: { label: 'Burning fast', color: '#ed6c02' },
    breached: { label: 'Budget spent', color: '#d32f2f' },
    'no-data': { label: 'No data', color: undefined },
    'no-boundary': { label: 'Target below every bucket', color: undefined },
  }[props.status];
  return (
    <Chip
      size="small"
      variant="outlined"
      label={label}
      style={color ? { borderColor: color, color } : undefined}
    />
  );
}

/** The worst status of an endpoint's objectives. */
export function worstStatus(objectives: SloObjectiveReport[]): SloStatus {
  const order: SloStatus[] = [
    'breached',
    'burning',
    'ok',
    'no-boundary',
    'no-data',
  ];
  for (const s of order) {
    if (objectives.some(o => o.status === s)) return s;
  }
  return 'no-data';
}

/** Where the figures come from: `Prometheus http://… (cluster gpu-eu-west)`. */
export function basisOf(source: {
  kind: string;
  url?: string;
  cluster?: string;
}) {
  return source.kind === 'prometheus'
    ? `Prometheus ${source.url} (cluster ${source.cluster})`
    : 'none';
}
