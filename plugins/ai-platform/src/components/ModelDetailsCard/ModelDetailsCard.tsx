import { InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  isModelEntity,
  RELATION_BASE_OF,
} from '@internal/plugin-ai-platform-common';
import { formatNumber } from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type { ReactNode } from 'react';

function Row(props: { label: string; children: ReactNode }) {
  return (
    <TableRow>
      <TableCell component="th" scope="row" variant="head">
        {props.label}
      </TableCell>
      <TableCell>{props.children}</TableCell>
    </TableRow>
  );
}

/**
 * A Model's facts: type, license, size, context length, source, and its
 * lineage (the base model it derives from, the models derived from it).
 */
export function ModelDetailsCard() {
  const { entity } = useEntity();
  if (!isModelEntity(entity)) {
    return (
      <InfoCard title="Model">
        <Typography>This card shows Model entities only.</Typography>
      </InfoCard>
    );
  }
  const { spec } = entity;
  const derived = (entity.relations ?? [])
    .filter(r => r.type === RELATION_BASE_OF)
    .map(r => r.targetRef);
  return (
    <InfoCard title="Model">
      <Table size="small" aria-label="Model details">
        <TableBody>
          <Row label="Type">{spec.type}</Row>
          <Row label="License">{spec.license ?? 'not stated'}</Row>
          {spec.parameters !== undefined && (
            <Row label="Parameters">{`${formatNumber(
              spec.parameters,
              2,
            )}B`}</Row>
          )}
          {spec.contextLength !== undefined && (
            <Row label="Context length">
              {`${formatNumber(spec.contextLength, 0)} tokens`}
            </Row>
          )}
          {spec.source && <Row label="Source">{spec.source}</Row>}
          <Row label="Base model">
            {spec.baseModel ? (
              <EntityRefLink entityRef={spec.baseModel} defaultKind="Model" />
            ) : (
              'none (a base model)'
            )}
          </Row>
          <Row label="Derived models">
            {derived.length === 0
              ? 'none'
              : derived.map((ref, i) => (
                  <span key={ref}>
                    {i > 0 && ', '}
                    <EntityRefLink entityRef={ref} />
                  </span>
                ))}
          </Row>
          {spec.datasets && spec.datasets.length > 0 && (
            <Row label="Datasets">{spec.datasets.join(', ')}</Row>
          )}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
