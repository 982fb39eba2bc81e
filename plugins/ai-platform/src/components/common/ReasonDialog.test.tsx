import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ReasonDialog } from './ReasonDialog';

function renderDialog(
  options: {
    onConfirm?: (reason: string) => Promise<void>;
    blockedBy?: string;
  } = {},
) {
  const onClose = jest.fn();
  const onConfirm = jest.fn(options.onConfirm ?? (async () => {}));
  return {
    onClose,
    onConfirm,
    rendered: renderInTestApp(
      <ReasonDialog
        open
        title="Roll back"
        confirmLabel="Roll back now"
        onClose={onClose}
        onConfirm={onConfirm}
        blockedBy={options.blockedBy}
      />,
    ),
  };
}

const dialog = () => screen.getByRole('dialog', { name: 'Roll back' });
const confirmButton = () =>
  within(dialog()).getByRole('button', { name: 'Roll back now' });
const typeReason = (reason: string) =>
  fireEvent.change(within(dialog()).getByRole('textbox', { name: /Reason/ }), {
    target: { value: reason },
  });

describe('ReasonDialog', () => {
  it('asks for a reason of at least 10 characters before confirming', async () => {
    const { onConfirm, onClose, rendered } = renderDialog();
    await rendered;
    expect(confirmButton()).toBeDisabled();
    typeReason('too short');
    expect(confirmButton()).toBeDisabled();
    typeReason('  v2 broke the summaries  ');
    expect(confirmButton()).toBeEnabled();
    fireEvent.click(confirmButton());
    // The reason is trimmed; on success the dialog closes.
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onConfirm).toHaveBeenCalledWith('v2 broke the summaries');
  });

  it('says why it cannot be confirmed and does not run the action', async () => {
    const { onConfirm, rendered } = renderDialog({
      blockedBy: 'Pick a version first.',
    });
    await rendered;
    typeReason('v2 broke the summaries');
    expect(within(dialog()).getByRole('status')).toHaveTextContent(
      'Pick a version first.',
    );
    expect(confirmButton()).toBeDisabled();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("shows the backend's error and stays open, so nothing typed is lost", async () => {
    const { onClose, rendered } = renderDialog({
      onConfirm: async () => {
        throw new Error('quota: applied-ml has 2 of 16 GPUs free');
      },
    });
    await rendered;
    typeReason('v2 broke the summaries');
    fireEvent.click(confirmButton());
    expect(await within(dialog()).findByRole('alert')).toHaveTextContent(
      'quota: applied-ml has 2 of 16 GPUs free',
    );
    expect(onClose).not.toHaveBeenCalled();
    expect(
      within(dialog()).getByRole('textbox', { name: /Reason/ }),
    ).toHaveValue('v2 broke the summaries');
    // A second try can succeed.
    expect(confirmButton()).toBeEnabled();
  });

  it('shows progress and blocks cancel while the action runs', async () => {
    let finish: () => void = () => {};
    const { onClose, rendered } = renderDialog({
      onConfirm: () =>
        new Promise<void>(resolve => {
          finish = resolve;
        }),
    });
    await rendered;
    typeReason('v2 broke the summaries');
    fireEvent.click(confirmButton());
    expect(
      await within(dialog()).findByRole('progressbar', { name: 'Working' }),
    ).toBeInTheDocument();
    expect(
      within(dialog()).getByRole('button', { name: 'Cancel' }),
    ).toBeDisabled();
    expect(confirmButton()).toBeDisabled();
    finish();
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });
});
