/** The Mixpanel record model: endpoints, regions, records and credentials. Depends on nothing else of mixrelay. */
package dev.mixrelay.mixpanel;
