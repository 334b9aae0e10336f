/** The flag lookup is derived from the endpoint-flag table; re-exported here for the dispatcher's import. */
export { isEndpointEnabled } from '../config/endpoints';
