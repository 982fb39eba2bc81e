import { ControllerBase } from '../ControllerBase';
import type { ObjectStore, StoreEvent } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { deepEqual, shortHash } from '../util';
import { mergeConditions } from '../workload/status';

/*
 * A simulated Gateway API implementation (gateway.networking.k8s.io/v1,
 * standard channel as of Gateway API v1.2: apis/v1/gateway_types.go,
 * httproute_types.go, shared_types.go). It accepts every GatewayClass,
 * programs every Gateway of an existing class (status.addresses: its
 * spec.addresses, else a cluster IP of its own; Accepted and Programmed;
 * per listener attachedRoutes and conditions), and writes each HTTPRoute's
 * status.parents for the parentRefs that name an existing Gateway (a
 * route whose parent does not exist gets no entry, as no implementation
 * owns it): Accepted (NotAllowedByListeners when the listeners'
 * allowedRoutes exclude the route's namespace; default Same) and
 * ResolvedRefs (BackendNotFound for a Service that does not exist,
 * RefNotPermitted for one in another namespace: ReferenceGrants are not
 * simulated). No traffic flows through it.
 */

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
const GATEWAY_CLASS = typeOf('GatewayClass');
const GATEWAY = typeOf('Gateway');
const HTTPROUTE = typeOf('HTTPRoute');
const SERVICE = typeOf('Service');
const NAMESPACE = typeOf('Namespace');

const MANAGER = 'simulated-gateway-controller';
const GROUP = 'gateway.networking.k8s.io';

type Listener = {
  name: string;
  port?: number;
  protocol?: string;
  allowedRoutes?: {
    namespaces?: {
      from?: 'Same' | 'All' | 'Selector';
      selector?: { matchLabels?: Record<string, string> };
    };
  };
};

type ParentRef = {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
};

type RouteSpec = {
  parentRefs?: ParentRef[];
  rules?: Array<{
    backendRefs?: Array<{
      group?: string;
      kind?: string;
      name: string;
      namespace?: string;
      port?: number;
      weight?: number;
    }>;
  }>;
};

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
};

/** See the comment at the top of this file. */
export class GatewayController extends ControllerBase {
  constructor(store: ObjectStore) {
    super(store, MANAGER);
  }

  protected onStart(): void {
    this.syncAll();
  }

  protected onEvent(event: StoreEvent): void {
    if (
      ['GatewayClass', 'Gateway', 'HTTPRoute', 'Service', 'Namespace'].includes(
        event.resource.kind,
      )
    ) {
      this.laterOnce('all', 0, () => this.syncAll());
    }
  }

  private conditions(
    previous: Condition[] | undefined,
    next: Condition[],
  ): Condition[] {
    // observedGeneration moves with the object even when nothing else does.
    return (mergeConditions(previous, next, false) as Condition[]).map(
      (c, i) => ({ ...c, observedGeneration: next[i].observedGeneration }),
    );
  }

  private syncAll() {
    for (const c of this.store.list(GATEWAY_CLASS)) this.syncClass(c);
    const routes = this.store.list(HTTPROUTE);
    for (const g of this.store.list(GATEWAY)) this.syncGateway(g, routes);
    for (const r of routes) this.syncRoute(r);
  }

  private syncClass(gc: KubeObject) {
    const previous = (gc.status ?? {}) as { conditions?: Condition[] };
    const status = {
      conditions: this.conditions(previous.conditions, [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'Valid GatewayClass',
          observedGeneration: gc.metadata.generation,
        },
      ]),
    };
    if (!deepEqual(gc.status, status)) {
      this.write(GATEWAY_CLASS, { ...gc, status }, 'status');
    }
  }

  /** Whether `listener` of `gateway` admits routes from `namespace`. */
  private admits(gateway: KubeObject, listener: Listener, namespace: string) {
    const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return namespace === gateway.metadata.namespace;
    const labels =
      this.store.get(NAMESPACE, undefined, namespace)?.metadata.labels ?? {};
    const wanted =
      listener.allowedRoutes?.namespaces?.selector?.matchLabels ?? {};
    return Object.entries(wanted).every(([k, v]) => labels[k] === v);
  }

  private listenersFor(gateway: KubeObject, ref: ParentRef): Listener[] {
    const listeners = ((gateway.spec as { listeners?: Listener[] })
      ?.listeners ?? []) as Listener[];
    return listeners.filter(
      l =>
        (ref.sectionName === undefined || l.name === ref.sectionName) &&
        (ref.port === undefined || l.port === ref.port),
    );
  }

  private parentGateway(route: KubeObject, ref: ParentRef) {
    if (
      (ref.group ?? GROUP) !== GROUP ||
      (ref.kind ?? 'Gateway') !== 'Gateway'
    ) {
      return undefined;
    }
    const gateway = this.store.get(
      GATEWAY,
      ref.namespace ?? route.metadata.namespace,
      ref.name,
    );
    const className = (
      gateway?.spec as { gatewayClassName?: string } | undefined
    )?.gatewayClassName;
    const gc = className
      ? this.store.get(GATEWAY_CLASS, undefined, className)
      : undefined;
    return gateway && gc ? { gateway, gc } : undefined;
  }

  private syncGateway(gateway: KubeObject, routes: KubeObject[]) {
    const spec = (gateway.spec ?? {}) as {
      gatewayClassName?: string;
      listeners?: Listener[];
      addresses?: Array<{ type?: string; value: string }>;
    };
    if (!spec.gatewayClassName) return;
    if (!this.store.get(GATEWAY_CLASS, undefined, spec.gatewayClassName))
      return;
    const previous = (gateway.status ?? {}) as {
      conditions?: Condition[];
      listeners?: Array<{ name: string; conditions?: Condition[] }>;
    };
    const generation = gateway.metadata.generation;
    const digest = shortHash(
      `${gateway.metadata.namespace}/${gateway.metadata.name}`,
    );
    const ip = `10.96.${parseInt(digest.slice(0, 2), 16)}.${
      (parseInt(digest.slice(2, 4), 16) % 254) + 1
    }`;
    const addresses = spec.addresses?.length
      ? spec.addresses.map(a => ({
          type: a.type ?? 'IPAddress',
          value: a.value,
        }))
      : [{ type: 'IPAddress', value: ip }];
    const listeners = (spec.listeners ?? []).map(l => {
      const attached = routes.filter(r =>
        ((r.spec as RouteSpec).parentRefs ?? []).some(
          ref =>
            this.parentGateway(r, ref)?.gateway.metadata.uid ===
              gateway.metadata.uid &&
            this.listenersFor(gateway, ref).some(x => x.name === l.name) &&
            this.admits(gateway, l, r.metadata.namespace!),
        ),
      ).length;
      return {
        name: l.name,
        supportedKinds: [{ group: GROUP, kind: 'HTTPRoute' }],
        attachedRoutes: attached,
        conditions: this.conditions(
          previous.listeners?.find(p => p.name === l.name)?.conditions,
          [
            {
              type: 'Accepted',
              status: 'True',
              reason: 'Accepted',
              message: 'Listener is accepted',
              observedGeneration: generation,
            },
            {
              type: 'Programmed',
              status: 'True',
              reason: 'Programmed',
              message: 'Listener is programmed',
              observedGeneration: generation,
            },
            {
              type: 'ResolvedRefs',
              status: 'True',
              reason: 'ResolvedRefs',
              message: 'Resolved all the Object references for the Listener',
              observedGeneration: generation,
            },
          ],
        ),
      };
    });
    const status = {
      addresses,
      conditions: this.conditions(previous.conditions, [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'Gateway is accepted',
          observedGeneration: generation,
        },
        {
          type: 'Programmed',
          status: 'True',
          reason: 'Programmed',
          message: `Address assigned to the Gateway, ${listeners.length} listener(s) programmed`,
          observedGeneration: generation,
        },
      ]),
      listeners,
    };
    if (!deepEqual(gateway.status, status)) {
      this.write(GATEWAY, { ...gateway, status }, 'status');
    }
  }

  private syncRoute(route: KubeObject) {
    const spec = (route.spec ?? {}) as RouteSpec;
    const namespace = route.metadata.namespace!;
    const previous = (
      (route.status ?? {}) as {
        parents?: Array<{ parentRef: ParentRef; conditions?: Condition[] }>;
      }
    ).parents;
    const generation = route.metadata.generation;
    // Backends: each must be a Service of the route's namespace that exists.
    let resolved: Condition = {
      type: 'ResolvedRefs',
      status: 'True',
      reason: 'ResolvedRefs',
      message: 'Resolved all the Object references for the Route',
      observedGeneration: generation,
    };
    for (const ref of (spec.rules ?? []).flatMap(r => r.backendRefs ?? [])) {
      if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
        resolved = {
          ...resolved,
          status: 'False',
          reason: 'InvalidKind',
          message: `backendRef ${ref.name}: kind ${ref.kind} is not supported`,
        };
        break;
      }
      if (ref.namespace && ref.namespace !== namespace) {
        resolved = {
          ...resolved,
          status: 'False',
          reason: 'RefNotPermitted',
          message: `backendRef ${ref.name} in namespace ${ref.namespace}: no ReferenceGrant allows it`,
        };
        break;
      }
      if (!this.store.get(SERVICE, namespace, ref.name)) {
        resolved = {
          ...resolved,
          status: 'False',
          reason: 'BackendNotFound',
          message: `Service "${ref.name}" not found`,
        };
        break;
      }
    }
    const parents = (spec.parentRefs ?? []).flatMap(ref => {
      const parent = this.parentGateway(route, ref);
      if (!parent) return [];
      const allowed = this.listenersFor(parent.gateway, ref).some(l =>
        this.admits(parent.gateway, l, namespace),
      );
      const before = previous?.find(p => deepEqual(p.parentRef, ref));
      return [
        {
          parentRef: ref,
          controllerName:
            (parent.gc.spec as { controllerName?: string } | undefined)
              ?.controllerName ?? MANAGER,
          conditions: this.conditions(before?.conditions, [
            allowed
              ? {
                  type: 'Accepted',
                  status: 'True',
                  reason: 'Accepted',
                  message: 'Route is accepted',
                  observedGeneration: generation,
                }
              : {
                  type: 'Accepted',
                  status: 'False',
                  reason: 'NotAllowedByListeners',
                  message: `No listener of Gateway ${parent.gateway.metadata.namespace}/${parent.gateway.metadata.name} allows routes from namespace ${namespace}`,
                  observedGeneration: generation,
                },
            resolved,
          ]),
        },
      ];
    });
    const status = { parents };
    const before = route.status ?? { parents: [] };
    if (
      !deepEqual(before, status) &&
      !(parents.length === 0 && !route.status)
    ) {
      this.write(HTTPROUTE, { ...route, status }, 'status');
    }
  }
}
