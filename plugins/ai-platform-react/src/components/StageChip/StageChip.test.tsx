import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { StageChip } from './StageChip';

describe('StageChip', () => {
  it('shows the stage', async () => {
    await renderInTestApp(<StageChip stage="production" />);
    expect(screen.getByText('production')).toBeInTheDocument();
  });

  it('renders nothing without a stage', async () => {
    await renderInTestApp(
      <div data-testid="holder">
        <StageChip stage={undefined} />
      </div>,
    );
    expect(screen.getByTestId('holder')).toBeEmptyDOMElement();
  });
});
