import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { StageChip } from './StageChip';

describe('StageChip', () => {
  it('shows the stage', async () => {
    await renderInTestApp(<StageChip stage="production" />);
    expect(screen.getByText('production')).toBeInTheDocument();
  });

  it('marks production filled and staging outlined, in the primary colour', async () => {
    // Not the secondary colour: white on the light theme's pink is 4.2:1.
    await renderInTestApp(
      <>
        <StageChip stage="production" />
        <StageChip stage="staging" />
        <StageChip stage="archived" />
      </>,
    );
    const chip = (stage: string) => screen.getByText(stage).parentElement!;
    expect(chip('production')).toHaveClass('MuiChip-colorPrimary');
    expect(chip('production')).not.toHaveClass('MuiChip-outlined');
    expect(chip('staging')).toHaveClass('MuiChip-outlinedPrimary');
    expect(chip('archived')).toHaveClass('MuiChip-outlined');
    expect(chip('archived')).not.toHaveClass('MuiChip-outlinedPrimary');
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
