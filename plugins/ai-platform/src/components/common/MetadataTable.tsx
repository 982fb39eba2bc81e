import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import type { ReactNode } from 'react';

/** One labelled fact; `false` or `undefined` (as a row or value) is left out. */
export type MetadataRow = [string, ReactNode | undefined] | false | undefined;

/** A two-column table of labelled facts. */
export function MetadataTable(props: { label: string; rows: MetadataRow[] }) {
  return (
    <Table size="small" aria-label={props.label}>
      <TableBody>
        {props.rows
          .filter(
            (row): row is [string, ReactNode] =>
              Array.isArray(row) && row[1] !== undefined,
          )
          .map(([label, value]) => (
            <TableRow key={label}>
              <TableCell component="th" scope="row" variant="head">
                {label}
              </TableCell>
              <TableCell>{value}</TableCell>
            </TableRow>
          ))}
      </TableBody>
    </Table>
  );
}
