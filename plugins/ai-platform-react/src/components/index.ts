export * from './AsyncContent';
export * from './GateStatus';
export * from './StageChip';
export * from './UsageBar';
