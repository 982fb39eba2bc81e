export { LegacyQuotasPage, QuotasPage } from './QuotasPage';
