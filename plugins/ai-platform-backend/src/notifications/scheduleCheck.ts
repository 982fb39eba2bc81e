import type { SchedulerService } from '@backstage/backend-plugin-api';

/**
 * Schedules a notification check once per interval across all replicas
 * (global scope: the scheduler runs it on one replica at a time), first
 * a minute after start.
 */
export async function scheduleCheck(options: {
  scheduler: SchedulerService;
  id: string;
  frequencyMinutes: number;
  check: () => Promise<unknown>;
}): Promise<void> {
  await options.scheduler.scheduleTask({
    id: options.id,
    scope: 'global',
    frequency: { minutes: options.frequencyMinutes },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      await options.check();
    },
  });
}
