/** The cluster suite (src/cluster/testing/cluster-suite.ts) on MariaDB 3306, Redis 6379 and HAProxy. */
import { clusterSuite } from '../../src/cluster/testing/cluster-suite.js';

clusterSuite('mysql');
