// The visit form asks the phone for its place once; without permission the visit is logged without it.
(function () {
  var lat = document.getElementById("visit-latitude");
  var lon = document.getElementById("visit-longitude");
  var note = document.getElementById("visit-place");
  if (!lat || !lon || !navigator.geolocation) { return; }
  navigator.geolocation.getCurrentPosition(function (position) {
    lat.value = position.coords.latitude.toFixed(6);
    lon.value = position.coords.longitude.toFixed(6);
    if (note) { note.textContent = note.getAttribute("data-located"); }
  }, function () {}, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
})();
