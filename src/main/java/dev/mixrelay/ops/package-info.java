/** Health, readiness, metrics, the admin API and the debugger page: read-only views of the relay. */
package dev.mixrelay.ops;
