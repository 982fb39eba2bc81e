import { Content, Header, Page } from '@backstage/core-components';
import type { ReactNode } from 'react';

/**
 * The frame of a page: in the new frontend system the app draws the header
 * (PageBlueprint), so only the content padding is added; the legacy exports
 * add Backstage's Page and Header themselves.
 */
export function PageFrame(props: {
  title: string;
  subtitle?: string;
  withHeader?: boolean;
  children: ReactNode;
}) {
  const content = <Content>{props.children}</Content>;
  if (!props.withHeader) return content;
  return (
    <Page themeId="tool">
      <Header title={props.title} subtitle={props.subtitle} />
      {content}
    </Page>
  );
}
