/**
 * API Gateway HTTP API route selection: route keys such as `GET /orders/{id}`, `ANY /files/{proxy+}`
 * or `$default`. The most specific route wins: a fully literal path over one with parameters, a
 * named method over ANY, and a greedy `{proxy+}` only when nothing else matches.
 */

export interface RouteMatch<T> {
  routeKey: string;
  pathParameters?: Record<string, string>;
  target: T;
}

interface Segment {
  literal?: string;
  parameter?: string;
  greedy?: boolean;
}

interface CompiledRoute<T> {
  routeKey: string;
  method: string;
  segments: Segment[];
  target: T;
}

export interface Router<T> {
  match(method: string, rawPath: string): RouteMatch<T> | undefined;
}

const splitPath = (path: string) => path.split('/').filter((part) => part !== '');

function compile<T>(routeKey: string, target: T): CompiledRoute<T> | undefined {
  if (routeKey === '$default') return undefined;
  const match = /^([A-Z]+|ANY) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`Route key "${routeKey}" is not "METHOD /path" (or $default)`);
  const segments = splitPath(match[2]!).map((part, index, all): Segment => {
    const parameter = /^\{([A-Za-z0-9_.-]+)(\+)?\}$/.exec(part);
    if (!parameter) {
      if (part.includes('{') || part.includes('}')) {
        throw new Error(`Route key "${routeKey}": a path parameter must be a whole segment, like {id}`);
      }
      return { literal: part };
    }
    if (parameter[2] && index !== all.length - 1) {
      throw new Error(`Route key "${routeKey}": a greedy parameter {${parameter[1]}+} must come last`);
    }
    return { parameter: parameter[1], greedy: parameter[2] === '+' };
  });
  return { routeKey, method: match[1]!, segments, target };
}

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

function matchSegments(route: CompiledRoute<unknown>, parts: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    if (segment.greedy) {
      const rest = parts.slice(index);
      if (rest.length === 0) return undefined;
      parameters[segment.parameter!] = decode(rest.join('/'));
      return parameters;
    }
    const part = parts[index];
    if (part === undefined) return undefined;
    if (segment.literal !== undefined) {
      if (segment.literal !== part) return undefined;
    } else {
      parameters[segment.parameter!] = decode(part);
    }
  }
  return parts.length === route.segments.length ? parameters : undefined;
}

/** Higher is more specific, compared field by field. */
function specificity(route: CompiledRoute<unknown>): number[] {
  const greedy = route.segments.some((segment) => segment.greedy) ? 0 : 1;
  const literals = route.segments.filter((segment) => segment.literal !== undefined).length;
  return [greedy, literals, route.segments.length, route.method === 'ANY' ? 0 : 1];
}

const compareSpecificity = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return b[i]! - a[i]!;
  return 0;
};

export function createRouter<T>(routes: { routeKey: string; target: T }[]): Router<T> {
  const keys = new Set<string>();
  for (const { routeKey } of routes) {
    if (keys.has(routeKey)) throw new Error(`Route key "${routeKey}" is defined twice`);
    keys.add(routeKey);
  }
  const compiled = routes
    .map(({ routeKey, target }) => compile(routeKey, target))
    .filter((route): route is CompiledRoute<T> => route !== undefined)
    .sort((a, b) => compareSpecificity(specificity(a), specificity(b)));
  const fallback = routes.find((route) => route.routeKey === '$default');
  return {
    match(method, rawPath) {
      const parts = splitPath(rawPath);
      const upper = method.toUpperCase();
      for (const route of compiled) {
        if (route.method !== 'ANY' && route.method !== upper) continue;
        const pathParameters = matchSegments(route, parts);
        if (pathParameters) {
          return {
            routeKey: route.routeKey,
            ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
            target: route.target,
          };
        }
      }
      return fallback ? { routeKey: '$default', target: fallback.target } : undefined;
    },
  };
}
