import { expect, screenshot, signIn, test } from './support';

test.describe('the demo identities', () => {
  test('signs in as the member, then, after signing out, as the admin', async ({
    page,
  }) => {
    await page.goto('/');
    await expect(
      page.getByText('Guest (member of Applied ML)', { exact: true }),
    ).toBeVisible();
    await expect(
      page.getByText('Demo admin (ML Platform)', { exact: true }),
    ).toBeVisible();
    await screenshot(page, 'sign-in');

    await signIn(page, 'member');
    await page.goto('/settings');
    await expect(page.getByText('user:default/guest')).toBeVisible();
    await expect(
      page.getByRole('link', { name: 'Applied ML', exact: true }),
    ).toBeVisible();

    // The choice is remembered: a reload signs in again without asking.
    await page.reload();
    await expect(page.getByText('user:default/guest')).toBeVisible();

    // Signing out forgets it and offers both identities again.
    await page.getByRole('button', { name: 'more' }).click();
    await page.getByRole('menuitem', { name: 'Sign Out' }).click();
    await expect(
      page.getByRole('button', { name: 'Enter as demo admin' }),
    ).toBeVisible();

    await signIn(page, 'admin');
    await page.goto('/settings');
    await expect(page.getByText('user:default/alice')).toBeVisible();
    await expect(
      page.getByRole('link', { name: 'ML Platform', exact: true }),
    ).toBeVisible();
    await screenshot(page, 'settings-admin');
  });
});
