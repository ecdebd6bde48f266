// the environment helpers live in libs/core, where source plug-ins declare their variables with them too
export { ConfigError, parseEnv, bool, int, list, url, type Env } from '@staysync/core';
