/**
 * The notifications the ai-platform plugins send through Backstage's
 * notifications service. Each has a topic, so that users can mute it in
 * the notification settings (per origin `plugin:ai-platform` and topic).
 */
export const AI_PLATFORM_NOTIFICATION_TOPICS = {
  /** A quota request was approved or rejected; sent to its requester. */
  quotaRequestDecided: 'ai-platform-quota-request',
  /** A deploy, promote or rollback failed, or rolled back on its own; sent to the endpoint's owner. */
  deploymentFailed: 'ai-platform-deployment',
  /** A team's month-to-date cost or forecast passed 80 % or 100 % of its budget; sent to the team and the platform admins. */
  budgetThreshold: 'ai-platform-budget',
  /** An endpoint's SLO error budget burns fast; sent to the endpoint's owner. */
  sloBurn: 'ai-platform-slo',
  /** A canary promote was aborted by its failed analysis (or failed); sent to the endpoint's owner. */
  canaryAborted: 'ai-platform-canary',
} as const;

/** One of the topics above. */
export type AiPlatformNotificationTopic =
  (typeof AI_PLATFORM_NOTIFICATION_TOPICS)[keyof typeof AI_PLATFORM_NOTIFICATION_TOPICS];

/** The budget shares, in percent, at which a team is told (once each per month). */
export const BUDGET_NOTIFICATION_THRESHOLDS = [80, 100] as const;
