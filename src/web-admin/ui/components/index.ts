/** Shared UI building blocks (E owns them; F imports them). */
export { Page } from './page';
export { ErrorBanner, Notice } from './error-banner';
export { Loading } from './loading';
export { Field, TextField, describedBy } from './field';
export { Table, sortRows, type Column } from './table';
export { ConfirmDialog } from './confirm-dialog';
export { useAsync, type Async } from './use-async';
