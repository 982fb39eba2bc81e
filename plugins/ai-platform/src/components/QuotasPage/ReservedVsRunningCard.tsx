import { InfoCard } from '@backstage/core-components';
import { SimulatedClustersNote } from '../common/SimulatedCluster';
import { useApi } from '@backstage/core-plugin-api';
import {
  AsyncContent,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { shortRef } from '../common/entityRefs';
import { runBasisLabel } from '../common/runState';

/**
 * Per team and pool: GPUs reserved by the deployment records beside GPUs
 * running in the cluster (from the usage collector's listing), the
 * endpoints declared but not running, and the drift between the two.
 */
export function ReservedVsRunningCard(props: { pool?: string }) {
  const api = useApi(aiPlatformApiRef);
  const usage = useAsyncRetry(
    () => api.getQuotaUsage(props.pool ? { pool: props.pool } : {}),
    [api, props.pool],
  );
  return (
    <InfoCard title="Reserved (records) and running (cluster)">
      <SimulatedClustersNote />
      <AsyncContent
        {...usage}
        isEmpty={v => v.items.length === 0}
        emptyTitle="Nothing reserved or running"
        emptyDescription="No deployment reserves GPUs and the clusters run nothing of the catalog's endpoints."
      >
        {value => (
          <Table
            size="small"
            aria-label="Reserved and running GPUs per team and pool"
          >
            <TableHead>
              <TableRow>
                <TableCell>Team</TableCell>
                <TableCell>Pool</TableCell>
                <TableCell align="right">Reserved</TableCell>
                <TableCell align="right">Running</TableCell>
                <TableCell>Basis of running</TableCell>
                <TableCell>Drift</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.items.map(row => (
                <TableRow key={`${row.team}/${row.pool}`}>
                  <TableCell>{shortRef(row.team)}</TableCell>
                  <TableCell>{shortRef(row.pool)}</TableCell>
                  <TableCell align="right">{row.reserved}</TableCell>
                  <TableCell align="right">{row.running}</TableCell>
                  <TableCell>
                    {runBasisLabel(row.basis, row.observedAt)}
                  </TableCell>
                  <TableCell>
                    {row.drift.length === 0 ? (
                      'none'
                    ) : (
                      <ul style={{ margin: 0, paddingLeft: 16 }}>
                        {row.drift.map(d => (
                          <li
                            key={`${d.kind}/${
                              d.endpointRef ?? d.workload ?? ''
                            }`}
                          >
                            <Typography variant="body2" color="error">
                              {d.message}
                            </Typography>
                          </li>
                        ))}
                      </ul>
                    )}
                    {row.declaredNotRunning.length > 0 && (
                      <Typography variant="body2" color="textSecondary">
                        declared, not running:{' '}
                        {row.declaredNotRunning.map(shortRef).join(', ')}
                      </Typography>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
