import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { AsyncContent } from './AsyncContent';

describe('AsyncContent', () => {
  it('shows progress while loading', async () => {
    await renderInTestApp(
      <AsyncContent<string[]> loading>{v => v.join()}</AsyncContent>,
    );
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error', async () => {
    await renderInTestApp(
      <AsyncContent<string[]> loading={false} error={new Error('boom')}>
        {v => v.join()}
      </AsyncContent>,
    );
    expect(screen.getAllByText(/boom/).length).toBeGreaterThan(0);
  });

  it('shows the empty state when the value holds nothing', async () => {
    await renderInTestApp(
      <AsyncContent<string[]>
        loading={false}
        value={[]}
        isEmpty={v => v.length === 0}
        emptyTitle="No runs yet"
        emptyDescription="Post eval results from CI."
      >
        {v => v.join()}
      </AsyncContent>,
    );
    expect(screen.getByText('No runs yet')).toBeInTheDocument();
    expect(screen.getByText('Post eval results from CI.')).toBeInTheDocument();
  });

  it('renders the value', async () => {
    await renderInTestApp(
      <AsyncContent<string[]>
        loading={false}
        value={['a', 'b']}
        isEmpty={v => v.length === 0}
      >
        {v => <p>{v.join(' and ')}</p>}
      </AsyncContent>,
    );
    expect(screen.getByText('a and b')).toBeInTheDocument();
  });
});
