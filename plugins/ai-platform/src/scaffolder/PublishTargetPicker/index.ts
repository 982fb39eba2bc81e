export {
  PublishTargetPicker,
  configuredGithubHosts,
  type PublishTarget,
} from './PublishTargetPicker';
export { PublishTargetPickerFormField } from './PublishTargetPickerFormField';
