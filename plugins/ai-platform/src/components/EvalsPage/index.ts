export { EvalsPage, LegacyEvalsPage } from './EvalsPage';
