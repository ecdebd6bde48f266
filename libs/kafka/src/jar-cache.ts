import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The JVM tools the repo runs (the local broker, the bench's Kafka Connect peer) are not built: each is a
 * `pom.xml` under `tools/` whose dependencies `mvn dependency:copy-dependencies` resolves once into a cache
 * outside the work tree, `~/.cache/staysync/<name>-<pom hash>/lib` (or under `$STAYSYNC_CACHE_DIR`), and
 * `java -cp <lib>/*` runs. A changed pom resolves into a new cache.
 */
export interface JarBundle {
  /** the tool's pom.xml */
  pom: string;
  /** cache directory name before the pom hash, e.g. `kafka-4.1.1` */
  name: string;
  /** what the tool is, for messages ("Apache Kafka 4.1.1") */
  label: string;
}

export function jarCacheRoot(): string {
  return (
    process.env.STAYSYNC_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'staysync')
  );
}

/** `<cache root>/<name>-<first 8 hex of the pom's sha256>` */
export function bundleDir(bundle: JarBundle): string {
  const hash = createHash('sha256').update(readFileSync(bundle.pom)).digest('hex').slice(0, 8);
  return join(jarCacheRoot(), `${bundle.name}-${hash}`);
}

/** A `<name>` property of a pom (e.g. `kafka.version`): the one place a tool's version is written. */
export function pomProperty(pom: string, name: string): string {
  const escaped = name.replace(/\./g, '\\.');
  const match = new RegExp(`<${escaped}>([^<]+)</${escaped}>`).exec(readFileSync(pom, 'utf8'));
  if (!match) throw new Error(`no <${name}> in ${pom}`);
  return match[1];
}

/** What is there to run a bundle: Java, Maven (only needed for a cold cache), and whether it is cached. */
export function jvmPrerequisites(bundle: JarBundle): { java: boolean; maven: boolean; cached: boolean } {
  return {
    java: spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0,
    maven: spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status === 0,
    cached: bundleCached(bundle),
  };
}

export function bundleCached(bundle: JarBundle): boolean {
  return existsSync(join(bundleDir(bundle), '.complete'));
}

/**
 * Resolves a bundle's jars into the cache (once; later calls return at once) and returns the cache dir
 * (jars in `<dir>/lib`). `missingMaven` is the message's advice when Maven is needed and absent.
 */
export function resolveBundle(
  bundle: JarBundle,
  log: (line: string) => void = () => undefined,
  missingMaven = 'install Maven (apt-get install -y maven)',
): string {
  const dir = bundleDir(bundle);
  if (existsSync(join(dir, '.complete'))) return dir;
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `Maven (mvn) not found, and the ${bundle.label} jars are not cached in ${dir}: ${missingMaven}`,
    );
  }
  log(`resolving ${bundle.label} jars from Maven Central into ${dir} (once)`);
  mkdirSync(join(dir, '..'), { recursive: true });
  // resolved beside the cache and renamed into place, so concurrent starts never see half a cache
  const staging = mkdtempSync(`${dir}.partial-`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      bundle.pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${join(staging, 'lib')}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `mvn dependency:copy-dependencies -f ${bundle.pom} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  writeFileSync(join(staging, '.complete'), `${bundle.label}\n`);
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // another process filled the cache first
    if (!existsSync(join(dir, '.complete'))) throw error;
  }
  return dir;
}
