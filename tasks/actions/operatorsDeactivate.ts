export { deactivate as default } from "./operatorsSetActive.js";
