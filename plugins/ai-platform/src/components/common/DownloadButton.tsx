import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { DownloadedFile } from '@internal/plugin-ai-platform-react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { saveFile } from './download';

/**
 * A button that fetches a file from the backend (with the user's
 * credentials, so not a plain link) and saves it; failures go to the alert
 * bar with the backend's message.
 */
export function DownloadButton(props: {
  label: string;
  fetchFile: () => Promise<DownloadedFile>;
}) {
  const alertApi = useApi(alertApiRef);
  const [busy, setBusy] = useState(false);
  const onClick = async () => {
    setBusy(true);
    try {
      saveFile(await props.fetchFile());
    } catch (e) {
      alertApi.post({
        message: `${props.label} failed: ${(e as Error).message}`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      variant="outlined"
      color="primary"
      onClick={onClick}
      disabled={busy}
      startIcon={
        busy ? <CircularProgress size={16} aria-hidden /> : <GetAppIcon />
      }
    >
      {props.label}
    </Button>
  );
}
