// Paging and filtering of list endpoints, as the contract describes them for every list.
import type { ListPage, SortOrder } from '../api/types.js';
import { validationError } from './errors.js';

type Operator = 'eq' | 'neq' | 'in' | 'nin' | 'lte' | 'gte';

interface Filter {
  field: string;
  operator: Operator;
  values: string[];
}

/** A list request's query as the emulator parsed it (what the client sends is its own ListQuery). */
export interface ListCriteria {
  limit: number;
  order: SortOrder;
  after: string | null;
  includeTotal: boolean;
  filters: Filter[];
}

export const DEFAULT_LIMIT = 50;
export const MIN_LIMIT = 2;
export const MAX_LIMIT = 1000;
const PAGING_PARAMS = new Set(['limit', 'order', 'after', 'include', 'filter']);

/**
 * Reads paging and filters from the query. Filters come as direct params (`name__eq=a`, `status__in=a,b`,
 * or a bare `name=a`) and/or as one URL-encoded `filter=` query string holding the same pairs; all must hold.
 */
export function parseListQuery(query: URLSearchParams, filterable: readonly string[]): ListCriteria {
  const filters: Filter[] = [];
  const addFilters = (params: URLSearchParams, source: string) => {
    for (const [key, value] of params) {
      if (source === 'query' && PAGING_PARAMS.has(key)) continue;
      const filter = parseFilter(key, value, filterable);
      if (filter) filters.push(filter);
      else if (source === 'filter' || key.includes('__')) {
        throw validationError(
          key,
          `is not a filter of this list; filterable fields: ${filterable.join(', ')}`,
        );
      }
    }
  };
  addFilters(query, 'query');
  const filterString = query.get('filter');
  if (filterString) addFilters(new URLSearchParams(filterString), 'filter');

  return {
    limit: parseLimit(query.get('limit')),
    order: parseOrder(query.get('order')),
    after: query.get('after') || null,
    includeTotal: (query.get('include') ?? '').split(',').includes('total_count'),
    filters,
  };
}

function parseFilter(key: string, value: string, filterable: readonly string[]): Filter | undefined {
  const match = /^(.+?)(?:__(eq|neq|in|nin|lte|gte))?$/.exec(key);
  const field = match?.[1];
  if (!field || !filterable.includes(field)) return undefined;
  const operator = (match[2] ?? 'eq') as Operator;
  const values = operator === 'in' || operator === 'nin' ? value.split(',') : [value];
  return { field, operator, values };
}

function parseLimit(text: string | null): number {
  if (text === null || text === '') return DEFAULT_LIMIT;
  if (!/^-?\d+$/.test(text))
    throw validationError('limit', `must be an integer between ${MIN_LIMIT} and ${MAX_LIMIT}`);
  // The contract: values outside the range are set to the closest limit.
  return Math.min(MAX_LIMIT, Math.max(MIN_LIMIT, Number(text)));
}

function parseOrder(text: string | null): SortOrder {
  if (text === null || text === '') return 'ASC';
  const order = text.toUpperCase();
  if (order !== 'ASC' && order !== 'DESC') throw validationError('order', 'must be ASC or DESC');
  return order;
}

type FieldValue = string | number | boolean;

/**
 * Date filters accept RFC 3339 with or without fractions, and the compact `20161130T162512Z`. Compared in
 * microseconds, the precision of the service's timestamps.
 */
function parseTimeMicros(text: string): number {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (compact) {
    const [, y, mo, d, h, mi, s] = compact.map(Number) as number[];
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) * 1000;
  }
  const fraction = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!fraction) return Date.parse(text) * 1000;
  const micros = Number((fraction[2] ?? '').padEnd(6, '0').slice(0, 6));
  return Date.parse(`${fraction[1]}${fraction[3]}`) * 1000 + micros;
}

function compare(actual: FieldValue, wanted: string): number {
  if (typeof actual === 'number') return actual - Number(wanted);
  return parseTimeMicros(String(actual)) - parseTimeMicros(wanted);
}

function matches(actual: FieldValue, filter: Filter): boolean {
  const text = String(actual);
  switch (filter.operator) {
    case 'eq':
      return text === filter.values[0];
    case 'neq':
      return text !== filter.values[0];
    case 'in':
      return filter.values.includes(text);
    case 'nin':
      return !filter.values.includes(text);
    case 'lte':
      return compare(actual, filter.values[0]!) <= 0;
    case 'gte':
      return compare(actual, filter.values[0]!) >= 0;
  }
}

/** The items every filter holds for (a campaign's device_filter uses it too). */
export function filterItems<T>(items: readonly T[], filters: readonly Filter[]): T[] {
  const record = (item: T) => item as unknown as Record<string, FieldValue>;
  return items.filter((item) => filters.every((f) => matches(record(item)[f.field] ?? '', f)));
}

/**
 * One page of `items` (given in creation order). Ids sort in creation order, so `after` works even for
 * an item deleted since the previous page.
 */
export function listPage<T extends { id: string | number }>(
  items: readonly T[],
  query: ListCriteria,
): ListPage<T> {
  const filtered = filterItems(items, query.filters);
  const ordered = query.order === 'ASC' ? filtered : [...filtered].reverse();
  const after = query.after;
  const isAfter = (id: string | number): boolean => {
    if (after === null) return true;
    const diff = typeof id === 'number' ? id - Number(after) : id < after ? -1 : id > after ? 1 : 0;
    return query.order === 'ASC' ? diff > 0 : diff < 0;
  };
  const remaining = ordered.filter((item) => isAfter(item.id));
  return {
    object: 'list',
    data: remaining.slice(0, query.limit),
    has_more: remaining.length > query.limit,
    limit: query.limit,
    order: query.order,
    after,
    ...(query.includeTotal ? { total_count: filtered.length } : {}),
  };
}
