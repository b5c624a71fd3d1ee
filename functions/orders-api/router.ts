/**
 * Matches a request to a route template such as `GET /orders/{id}`. An API Gateway route key that
 * names a template is trusted as is; `$default` routes and Function URLs are matched on the path.
 */

export interface Route<H> {
  method: string;
  /** Path template, `{name}` for a parameter (one whole segment). */
  path: string;
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: Route<H>; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

interface CompiledRoute<H> {
  route: Route<H>;
  key: string;
  pattern: RegExp;
  paramNames: string[];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile<H>(route: Route<H>): CompiledRoute<H> {
  const paramNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = segment.match(/^\{(\w+)\}$/);
      if (!param) return escapeRegExp(segment);
      paramNames.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return {
    route,
    key: `${route.method} ${route.path}`,
    // A trailing slash is tolerated, as lib/ does when it resolves the route for metrics.
    pattern: new RegExp(`^${source}/?$`),
    paramNames,
  };
}

function decode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function createRouter<H>(routes: Route<H>[]) {
  const compiled = routes.map(compile);

  const paramsFromPath = (entry: CompiledRoute<H>, path: string): Record<string, string> | undefined => {
    const match = entry.pattern.exec(path);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    for (const [index, name] of entry.paramNames.entries()) {
      const value = decode(match[index + 1]!);
      if (value === undefined) return undefined;
      params[name] = value;
    }
    return params;
  };

  return {
    /** `METHOD /template` for each route: what lib/ needs to name routes in metrics. */
    templates: compiled.map((entry) => entry.key),

    match(
      method: string,
      path: string,
      routeKey?: string,
      pathParameters?: Record<string, string | undefined>,
    ): RouteMatch<H> {
      const upper = method.toUpperCase();
      const byKey = routeKey ? compiled.find((entry) => entry.key === routeKey) : undefined;
      if (byKey && byKey.route.method === upper) {
        // API Gateway has already decoded the parameters; fall back to the path if it did not send them.
        const fromGateway = Object.fromEntries(
          byKey.paramNames.flatMap((name) => {
            const value = pathParameters?.[name];
            return value === undefined ? [] : [[name, value]];
          }),
        );
        const params =
          Object.keys(fromGateway).length === byKey.paramNames.length
            ? fromGateway
            : paramsFromPath(byKey, path);
        if (params) return { kind: 'found', route: byKey.route, params };
      }
      const allowed: string[] = [];
      for (const entry of compiled) {
        const params = paramsFromPath(entry, path);
        if (!params) continue;
        if (entry.route.method === upper) return { kind: 'found', route: entry.route, params };
        allowed.push(entry.route.method);
      }
      return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
    },
  };
}
