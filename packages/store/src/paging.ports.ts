/** Paging shared by every repository's list methods. */
export interface PageRequest {
  /** 1..500, default 50. */
  limit?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null when this is the last page. */
  nextCursor: string | null;
}
