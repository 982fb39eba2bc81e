export { ModelEvalsContent } from './ModelEvalsContent';
