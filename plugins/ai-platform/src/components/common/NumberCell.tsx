import TableCell from '@material-ui/core/TableCell';
import type { ReactNode } from 'react';

/** A right-aligned table cell for a figure, which never wraps. */
export function NumberCell(props: { children?: ReactNode }) {
  return (
    <TableCell align="right" style={{ whiteSpace: 'nowrap' }}>
      {props.children}
    </TableCell>
  );
}
