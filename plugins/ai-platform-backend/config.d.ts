export interface Config {
  /** Configuration of the ai-platform plugins. */
  aiPlatform?: {
    /** Who may do what; read by the permission policy of packages/backend. */
    permissions?: {
      /**
       * Group entity refs whose members are platform admins: they may do
       * everything, e.g. `group:default/ml-platform`.
       * @default []
       */
      platformAdmins?: string[];
      /**
       * Who may read cost figures: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default everyone
       */
      costReaders?: 'everyone' | string[];
      /**
       * Who may read the audit log: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default admins only (an empty list)
       */
      auditReaders?: 'everyone' | string[];
    };
    /** GPU quotas. */
    quotas?: {
      /**
       * Accept admin quota overrides (and approvals of quota requests) above
       * the pool's capacity. Off, such an override is refused with the
       * capacity named: the sum of quotas may exceed a pool (teams rarely
       * use all of theirs at once), but no single team's quota can be more
       * than the pool holds unless the platform team chooses to over-commit.
       * @default false
       */
      allowOverCommit?: boolean;
    };
    /**
     * Notifications through Backstage's notifications service (the
     * notifications backend must be installed): quota decisions to the
     * requester, failed deployments to the endpoint's owner, budget
     * thresholds to the team and the platform admins, fast SLO burn to the
     * endpoint's owner. Each has a topic that
     * users can mute in their notification settings; see docs/notifications.md.
     */
    notifications?: {
      /**
       * Send the plugin's notifications.
       * @default true
       */
      enabled?: boolean;
      /**
       * Minutes between two checks of the teams' budgets (one run per
       * interval across replicas).
       * @default 15
       */
      budgetCheckMinutes?: number;
      /**
       * Minutes between two checks of the endpoints' SLO burn rates (one
       * run per interval across replicas; needs Prometheus, see
       * docs/slos.md).
       * @default 5
       */
      sloCheckMinutes?: number;
    };
    /** GPU usage collection and cost. */
    cost?: {
      /** The scheduled usage collector. */
      collector?: {
        /**
         * Turn the collector off (e.g. in a read-only replica set).
         * @default true
         */
        enabled?: boolean;
        /**
         * Minutes per sample interval; the collector runs once per interval
         * across all backend replicas.
         * @default 5
         */
        intervalMinutes?: number;
        /**
         * Days raw samples are kept; hourly and daily rollups are kept.
         * @default 30
         */
        rawRetentionDays?: number;
      };
      /**
       * Prometheus that scrapes vLLM (vllm:prompt_tokens_total,
       * vllm:generation_tokens_total, with the pod label a scrape adds) and
       * the DCGM exporter (DCGM_FI_DEV_GPU_UTIL by pod). Optional: without it, cost comes from
       * allocation alone, and every answer says so.
       */
      prometheus?: {
        /** URL for clusters without their own entry, e.g. http://prometheus:9090 */
        url?: string;
        /** Per cluster name (as in kubernetes.clusterLocatorMethods). */
        clusters?: {
          [clusterName: string]: {
            url: string;
          };
        };
        /**
         * Extra request headers, e.g. Authorization for a managed Prometheus.
         * @visibility secret
         */
        headers?: { [name: string]: string };
      };
      /**
       * Fill an empty database with 12 months of generated usage history for
       * the catalog's endpoints (the demo turns this on).
       * @default false
       */
      seedDemoHistory?: boolean;
      /**
       * How an endpoint's token cost is split between prompt and generated
       * tokens (docs/cost.md, "Prompt and generation tokens"). Where vLLM's
       * prefill and decode time histograms are in Prometheus, the split is
       * by that measured time; otherwise by token counts with this weight.
       */
      tokenSplit?: {
        /**
         * Cost of one generated token relative to one prompt token, used
         * where prefill and decode time are not measured: prompt share =
         * prompt tokens / (prompt tokens + generated tokens x weight).
         * Positive; applies to samples collected after it is set.
         * @default 4
         */
        generationWeight?: number;
      };
    };
    /** Eval results. */
    evals?: {
      /**
       * Fill an empty eval store with demo results for the catalog's models
       * (trends over four runs per version; some candidates fail their
       * gates), once the catalog has Models. The demo turns this on.
       * @default false
       */
      seedDemoResults?: boolean;
    };
    /** Deployments of inference endpoints to the pools' clusters. */
    deploy?: {
      /**
       * How long a rollout may take before the deployment fails, in seconds.
       * @default 1800
       */
      rolloutTimeoutSeconds?: number;
      /**
       * How often pods and events are read while a rollout runs, in seconds.
       * @default 5
       */
      progressIntervalSeconds?: number;
      /**
       * Timeout of one request to a cluster's API server, in seconds.
       * @default 30
       */
      requestTimeoutSeconds?: number;
      /**
       * Take over fields that another field manager owns (server-side apply
       * with force), e.g. a replica count someone set with kubectl. When
       * false, such a conflict fails the deployment and names the fields and
       * the manager. It never lets one endpoint apply over another's objects
       * or over objects the portal did not create: the ownership check
       * refuses those before anything is applied (a platform admin adopts
       * them with `adopt`).
       * @default false
       */
      forceConflicts?: boolean;
      /**
       * Who owns which namespace of which cluster, besides the
       * `ai-platform.io/owners` annotation (comma-separated Group refs) on
       * the Namespace itself: `<cluster>: { <namespace>: [group refs] }`.
       * Either source may name owners; when the cluster cannot be read,
       * config alone decides; with neither, a deploy is refused ("cannot
       * verify who owns namespace X"). Members deploy only into namespaces
       * their team owns (permission rule IS_IN_OWNED_NAMESPACE).
       * @default {}
       */
      namespaces?: { [cluster: string]: { [namespace: string]: string[] } };
      /**
       * Per cluster (by its name in `kubernetes.clusterLocatorMethods`):
       * what its endpoints are rendered as. A cluster not named here gets
       * plain Deployments. See docs/kserve.md.
       */
      clusters?: {
        [cluster: string]: {
          /**
           * `deployment`: a Deployment, Service, PodDisruptionBudget and
           * autoscaler, on any cluster. `llm-inference-service`: one KServe
           * LLMInferenceService (serving.kserve.io/v1alpha2, KServe v0.20
           * or later); a deploy onto a cluster that does not serve it is
           * refused, saying why.
           * @default deployment
           */
          target?: 'deployment' | 'llm-inference-service';
          /** Settings of the `llm-inference-service` target. */
          llmInferenceService?: {
            /**
             * How KServe exposes the service (spec.router). Without it the
             * service answers on its cluster-local workload Service only.
             */
            router?: {
              /**
               * A Gateway API Gateway of the cluster's (spec.router.gateway.refs);
               * KServe's default Gateway when absent.
               */
              gateway?: {
                name: string;
                /** @default the endpoint's namespace */
                namespace?: string;
                /** One listener of the Gateway; all listeners when absent. */
                sectionName?: string;
              };
              /**
               * Route through the inference scheduler (the endpoint picker
               * of the Gateway API Inference Extension) and its InferencePool,
               * for KV-cache- and load-aware routing.
               * @default true
               */
              scheduler?: boolean;
              /**
               * An existing InferencePool to route through; KServe creates
               * one per service when absent.
               */
              inferencePool?: string;
            };
          };
          /**
           * Canary promotes on this cluster (docs/canary.md). The engine
           * follows from API discovery: Argo Rollouts where the cluster
           * serves argoproj.io/v1alpha1 Rollout, else Gateway API HTTPRoute
           * weights (which need `gateway`).
           */
          canary?: {
            /**
             * The Gateway API Gateway the canary's HTTPRoute attaches to
             * (parentRefs). Required for the gateway-api engine and for
             * argoTrafficRouting `gateway-api`.
             */
            gateway?: {
              name: string;
              /** @default the endpoint's namespace */
              namespace?: string;
              /** One listener of the Gateway; all listeners when absent. */
              sectionName?: string;
            };
            /**
             * Argo Rollouts traffic routing: `none` (the Service spreads
             * requests over all pods, so the split is by replica count) or
             * `gateway-api` (the Argo Rollouts Gateway API plugin sets an
             * HTTPRoute's weights; needs `gateway`).
             * @default none
             */
            argoTrafficRouting?: 'none' | 'gateway-api';
          };
        };
      };
      /**
       * Namespaces the portal never deploys into, besides `default` and
       * `kube-*`; no permission policy can lift this.
       * @default []
       */
      systemNamespaces?: string[];
      /**
       * How long a Namespace's owner annotation, once read, is reused.
       * @default 30
       */
      namespaceOwnersCacheSeconds?: number;
      /**
       * When a pool's cluster cannot be reached: `fail` the deployment, or
       * run the checks only (`check-only`) and say that nothing was applied,
       * as a demo portal without real clusters wants. A cluster missing from
       * kubernetes.clusterLocatorMethods always gives check-only.
       * @default fail
       */
      unreachableClusters?: 'fail' | 'check-only';
      /** How endpoints with maxReplicas above replicas scale. */
      autoscaling?: {
        /**
         * `hpa`: an autoscaling/v2 HorizontalPodAutoscaler on the Pods metric
         * vllm:num_requests_waiting (needs a metrics adapter such as
         * prometheus-adapter); `keda`: a KEDA ScaledObject with a Prometheus
         * trigger.
         * @default hpa
         */
        type?: 'hpa' | 'keda';
        /**
         * Waiting requests per replica above which a replica is added.
         * @default 5
         */
        targetRequestsWaiting?: number;
        /** The Prometheus that scrapes vLLM; required for `keda`. */
        prometheusServerAddress?: string;
      };
      /**
       * A prometheus-operator ServiceMonitor with each endpoint, so that
       * Prometheus scrapes vLLM's /metrics (token counters for cost, queue
       * length for autoscaling). Needs the monitoring.coreos.com CRDs.
       */
      serviceMonitor?: {
        /** @default false */
        enabled?: boolean;
        /**
         * Scrape interval, a Prometheus duration.
         * @default 30s
         */
        interval?: string;
      };
      /**
       * A prometheus-operator PrometheusRule with each endpoint that sets
       * spec.slo: the SRE workbook's multi-window, multi-burn-rate alerts
       * (1 h / 5 m at 14.4x, 6 h / 30 m at 6x the error budget) for its
       * availability and each latency target, over its own pods (see
       * docs/slos.md). Needs the monitoring.coreos.com CRDs and a
       * Prometheus that selects the rule.
       */
      prometheusRules?: {
        /** @default false */
        enabled?: boolean;
      };
      /**
       * Render a NetworkPolicy with each endpoint that admits traffic to its
       * HTTP port (8000) only from the sources listed here. Needs a network
       * plugin that enforces NetworkPolicies. Remember the callers of the
       * endpoints: the ingress gateway's namespace, and Prometheus' when it
       * scrapes /metrics.
       */
      networkPolicy?: {
        /** @default false */
        enabled?: boolean;
        /**
         * Every pod of the endpoint's own namespace may connect.
         * @default true
         */
        allowSameNamespace?: boolean;
        /**
         * Pods of these namespaces may connect, e.g. `[ingress-nginx, monitoring]`.
         * @default []
         */
        allowFromNamespaces?: string[];
        /**
         * Pods of the endpoint's namespace with these labels may connect.
         * @default {}
         */
        allowFromPodLabels?: { [key: string]: string };
      };
    };
  };
}
