import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { fieldProps } from '../../__testUtils__';
import { PublishTargetPicker } from './PublishTargetPicker';

function renderPicker(options: { formData?: string; config?: object }) {
  const props = fieldProps<string>({
    id: 'root_publishTo',
    title: 'Publish to',
    formData: options.formData,
  });
  return {
    onChange: props.onChange,
    rendered: renderInTestApp(<PublishTargetPicker {...props} />, {
      config: options.config ?? {},
    }),
  };
}

describe('PublishTargetPicker', () => {
  it('without a GitHub integration, takes the local folder and says why', async () => {
    const { onChange, rendered } = renderPicker({});
    await rendered;
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('local'));
    expect(
      screen.getByText(/No GitHub integration is configured in this portal/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Publish to/ })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
  });

  it('turns a GitHub choice into the local folder when GitHub is not configured', async () => {
    const { onChange, rendered } = renderPicker({ formData: 'github' });
    await rendered;
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('local'));
  });

  it('with a GitHub integration, takes GitHub by default and offers both', async () => {
    const { onChange, rendered } = renderPicker({
      config: {
        integrations: {
          github: [{ host: 'github.com' }, { host: 'ghe.example.com' }],
        },
      },
    });
    await rendered;
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('github'));
    expect(
      screen.getByText(/A new repository on github.com, ghe.example.com/),
    ).toBeInTheDocument();
    fireEvent.mouseDown(screen.getByRole('button', { name: /Publish to/ }));
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['A new GitHub repository', "This portal's local folder"]);
    fireEvent.click(within(listbox).getByText("This portal's local folder"));
    expect(onChange).toHaveBeenLastCalledWith('local');
  });

  it('keeps a choice that the portal can publish to', async () => {
    const { onChange, rendered } = renderPicker({
      formData: 'local',
      config: { integrations: { github: [{ host: 'github.com' }] } },
    });
    await rendered;
    expect(
      screen.getByRole('button', { name: /Publish to/ }),
    ).toHaveTextContent("This portal's local folder");
    expect(onChange).not.toHaveBeenCalled();
  });
});
