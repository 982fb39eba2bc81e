export { defaultCandidate, ModelGatesCard } from './ModelGatesCard';
