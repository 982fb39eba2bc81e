import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderWithApis } from '../../__testUtils__';
import { SetBudgetDialog } from './SetBudgetDialog';

function renderDialog(setBudget = jest.fn(async () => ({} as never))) {
  const onSaved = jest.fn();
  const onClose = jest.fn();
  return {
    setBudget,
    onSaved,
    onClose,
    rendered: renderWithApis(
      <SetBudgetDialog
        open
        month="2026-11"
        onClose={onClose}
        onSaved={onSaved}
      />,
      { api: { setBudget } },
    ),
  };
}

const dialog = () => screen.getByRole('dialog', { name: 'Set a team budget' });
const field = (name: string | RegExp, role = 'textbox') =>
  within(dialog()).getByRole(role, { name });
const change = (element: HTMLElement, value: string) =>
  fireEvent.change(element, { target: { value } });
const status = () => within(dialog()).getByRole('status');
const save = () =>
  within(dialog()).getByRole('button', { name: 'Save budget' });

async function pickTeam(title: string) {
  fireEvent.mouseDown(within(dialog()).getByRole('button', { name: /Team/ }));
  fireEvent.click(await screen.findByRole('option', { name: title }));
}

describe('SetBudgetDialog', () => {
  it('names what is missing or wrong, field by field, and saves nothing', async () => {
    const { setBudget, rendered } = renderDialog();
    await rendered;
    change(field(/Reason/), 'Planning for the launch');
    expect(status()).toHaveTextContent('Pick a team.');
    await pickTeam('Applied ML');
    expect(status()).toHaveTextContent('Enter an amount of 0 or more.');
    change(field('Amount', 'spinbutton'), '-5');
    expect(status()).toHaveTextContent('Enter an amount of 0 or more.');
    change(field('Amount', 'spinbutton'), '9000');
    change(field('Month'), '2026-13');
    expect(status()).toHaveTextContent('The month must look like 2026-11.');
    change(field('Month'), '2026-12');
    change(field('Currency'), 'dollars');
    expect(status()).toHaveTextContent(
      'The currency must be an ISO 4217 code such as USD.',
    );
    expect(save()).toBeDisabled();
    expect(setBudget).not.toHaveBeenCalled();
  });

  it('saves the budget with its reason, the currency upper-cased', async () => {
    const { setBudget, onSaved, onClose, rendered } = renderDialog();
    await rendered;
    await pickTeam('Applied ML');
    change(field('Month'), '2026-12');
    change(field('Amount', 'spinbutton'), '4500.5');
    change(field('Currency'), 'eur');
    change(field(/Reason/), 'Reranker rollout in December');
    expect(within(dialog()).queryByRole('status')).toBeNull();
    fireEvent.click(save());
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(setBudget).toHaveBeenCalledWith({
      team: 'group:default/applied-ml',
      month: '2026-12',
      amount: 4500.5,
      currency: 'EUR',
      reason: 'Reranker rollout in December',
    });
    expect(onClose).toHaveBeenCalled();
  });

  it("shows the backend's refusal and keeps the dialog open", async () => {
    const { onSaved, onClose, rendered } = renderDialog(
      jest.fn(async () => {
        throw new Error('NotAllowedError: ai-platform.budget.manage denied');
      }),
    );
    await rendered;
    await pickTeam('Applied ML');
    change(field('Amount', 'spinbutton'), '100');
    change(field(/Reason/), 'Trying without the permission');
    fireEvent.click(save());
    expect(await within(dialog()).findByRole('alert')).toHaveTextContent(
      'ai-platform.budget.manage denied',
    );
    expect(onSaved).not.toHaveBeenCalled();
    expect(onClose).not.toHaveBeenCalled();
  });
});
