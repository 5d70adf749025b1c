package postsyncer

// #include "postsyncer_delegation.h"
import "C"

import "fmt"

// Platform is a social platform PostSyncer proves account ownership for.
type Platform uint32

// The eight platforms (their wire names: tiktok, instagram, twitter, linkedin, youtube,
// facebook, pinterest, threads).
const (
	TikTok    Platform = C.PSD_PLATFORM_TIKTOK
	Instagram Platform = C.PSD_PLATFORM_INSTAGRAM
	X         Platform = C.PSD_PLATFORM_TWITTER // wire name "twitter"
	LinkedIn  Platform = C.PSD_PLATFORM_LINKEDIN
	YouTube   Platform = C.PSD_PLATFORM_YOUTUBE
	Facebook  Platform = C.PSD_PLATFORM_FACEBOOK
	Pinterest Platform = C.PSD_PLATFORM_PINTEREST
	Threads   Platform = C.PSD_PLATFORM_THREADS
)

// Platforms lists every platform.
var Platforms = []Platform{TikTok, Instagram, X, LinkedIn, YouTube, Facebook, Pinterest, Threads}

// String is the platform's wire name (twitter for X).
func (p Platform) String() string {
	var name C.psd_str
	if C.psd_platform_wire_name(C.psd_platform(p), &name) != C.PSD_RESULT_OK {
		return fmt.Sprintf("Platform(%d)", uint32(p))
	}
	return goString(name)
}

// ParsePlatform returns the platform with this exact wire name (tiktok, not TikTok;
// twitter, not x); ErrInvalidPlatform for any other name.
func ParsePlatform(name string) (Platform, error) {
	data, length := cString(name)
	var platform C.psd_platform
	if result := C.psd_platform_from_wire_name(data, length, &platform); result != C.PSD_RESULT_OK {
		return 0, fmt.Errorf("%w: %q is not one of tiktok, instagram, twitter, linkedin, youtube, facebook, pinterest, threads",
			kind(resultName(result)), name)
	}
	return Platform(platform), nil
}
