export { CredentialsJanitor } from './credentials-janitor.js';
export { IS_PUBLIC, Public } from './public.decorator.js';
