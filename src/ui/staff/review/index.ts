/** The review queue's pages: the list of payments to decide, and one payment. */
export { ReviewListPage } from './list.js';
export { MAX_SPLIT_LINES, ReviewDetailPage, type ReviewDetailProps } from './detail.js';
