/**
 * Turns an HTTP request into a route template (`GET /orders/{id}`): a bounded value, safe to use as
 * a metric dimension. Raw paths never become dimensions.
 */
import { UNMATCHED_ROUTE } from './contract.js';
import type { HttpRequest } from './events.js';

interface CompiledRoute {
  method: string | undefined;
  pattern: RegExp;
  template: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(route: string): CompiledRoute {
  const spaced = route.trim().match(/^([A-Za-z]+|ANY)\s+(\S+)$/);
  const method = spaced?.[1]?.toUpperCase();
  const path = spaced?.[2] ?? route.trim();
  const source = path
    .split('/')
    .map((segment) => {
      if (/^\{[^}]+\+\}$/.test(segment)) return '.+';
      if (/^\{[^}]+\}$/.test(segment)) return '[^/]+';
      return escapeRegExp(segment);
    })
    .join('/');
  return {
    method: method === 'ANY' ? undefined : method,
    pattern: new RegExp(`^${source}/?$`),
    template: path,
  };
}

export function createRouteResolver(routes: string[]): (request: HttpRequest) => string {
  const compiled = routes.map(compile);
  return (request) => {
    if (request.template) return `${request.method} ${request.template}`;
    for (const route of compiled) {
      if (
        (route.method === undefined || route.method === request.method) &&
        route.pattern.test(request.path)
      ) {
        return `${request.method} ${route.template}`;
      }
    }
    return UNMATCHED_ROUTE;
  };
}
