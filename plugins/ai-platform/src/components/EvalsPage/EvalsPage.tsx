import Box from '@material-ui/core/Box';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import { PageFrame } from '../common/PageFrame';
import { useQueryState } from '../common/useQueryState';
import { CompareVersions } from './CompareVersions';
import { Leaderboard } from './Leaderboard';

/**
 * The evals page: a leaderboard across models and tasks, and a side-by-side
 * compare of two model versions (`?view=compare`).
 */
export function EvalsPage(props: { withHeader?: boolean }) {
  const query = useQueryState();
  const view = query.get('view') === 'compare' ? 'compare' : 'leaderboard';
  return (
    <PageFrame title="Evals" withHeader={props.withHeader}>
      <Box mb={2}>
        <Tabs
          value={view}
          onChange={(_, v) =>
            query.set({ view: v === 'leaderboard' ? undefined : v })
          }
          indicatorColor="primary"
          textColor="primary"
          aria-label="Evals views"
        >
          <Tab
            value="leaderboard"
            label="Leaderboard"
            id="evals-tab-leaderboard"
            aria-controls="evals-panel"
          />
          <Tab
            value="compare"
            label="Compare"
            id="evals-tab-compare"
            aria-controls="evals-panel"
          />
        </Tabs>
      </Box>
      <div
        role="tabpanel"
        id="evals-panel"
        aria-labelledby={`evals-tab-${view}`}
      >
        {view === 'compare' ? <CompareVersions /> : <Leaderboard />}
      </div>
    </PageFrame>
  );
}

/** The evals page with Backstage's page header, for legacy apps. */
export function LegacyEvalsPage() {
  return <EvalsPage withHeader />;
}
