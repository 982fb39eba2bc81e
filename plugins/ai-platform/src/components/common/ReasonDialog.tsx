import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useElementId } from './useElementId';
import { type ReactNode, useEffect, useState } from 'react';

/** The backend asks for a reason of at least this many characters. */
export const MIN_REASON_LENGTH = 10;

/**
 * A dialog that asks for a reason (the backend audits every mutation with
 * one) and maybe more fields, then runs the action, showing progress and the
 * backend's error; closes on success.
 */
export function ReasonDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onClose: () => void;
  /** Runs the action with the reason; a thrown error is shown in the dialog. */
  onConfirm: (reason: string) => Promise<void>;
  /** More fields or the numbers behind the decision. */
  children?: ReactNode;
  /** Why the action cannot be confirmed now (shown; disables confirm). */
  blockedBy?: string;
  reasonLabel?: string;
}) {
  const { open } = props;
  const id = useElementId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    if (open) {
      setReason('');
      setError(undefined);
      setTouched(false);
    }
  }, [open]);

  const tooShort = reason.trim().length < MIN_REASON_LENGTH;
  const confirm = async () => {
    setTouched(true);
    if (tooShort || props.blockedBy) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm(reason.trim());
      props.onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : props.onClose}
      aria-labelledby={id && `${id}-title`}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={id && `${id}-title`}>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        <TextField
          id={id && `${id}-reason`}
          label={props.reasonLabel ?? 'Reason'}
          value={reason}
          onChange={e => setReason(e.target.value)}
          onBlur={() => setTouched(true)}
          multiline
          minRows={2}
          fullWidth
          required
          margin="normal"
          variant="outlined"
          error={touched && tooShort}
          helperText={`At least ${MIN_REASON_LENGTH} characters; kept in the audit log.`}
          disabled={busy}
        />
        {props.blockedBy && (
          <Alert severity="warning" role="status">
            {props.blockedBy}
          </Alert>
        )}
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
        {busy && <LinearProgress aria-label="Working" />}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button
          onClick={confirm}
          color="primary"
          variant="contained"
          disabled={busy || tooShort || Boolean(props.blockedBy)}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
