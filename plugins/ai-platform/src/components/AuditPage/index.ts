export { AuditPage, LegacyAuditPage } from './AuditPage';
