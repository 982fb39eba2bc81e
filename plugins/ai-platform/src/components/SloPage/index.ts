export { LegacySloPage, SloPage } from './SloPage';
