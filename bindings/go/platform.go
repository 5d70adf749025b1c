package postsyncer

// #include "postsyncer_delegation.h"
import "C"

import (
	"encoding"
	"fmt"
)

// Platform is a social platform PostSyncer proves account ownership for. Its text form is
// its wire name, so a Platform stored in JSON, a config file or a database column reads
// "tiktok" there, never a number that only this package can decode.
type Platform uint32

var (
	_ encoding.TextMarshaler   = Platform(0)
	_ encoding.TextUnmarshaler = (*Platform)(nil)
)

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

// String is the platform's wire name (twitter for X), or Platform(n) for a value that is
// not one of the eight.
func (p Platform) String() string {
	name, err := p.wireName()
	if err != nil {
		return fmt.Sprintf("Platform(%d)", uint32(p))
	}
	return name
}

// MarshalText is the platform's wire name, so that JSON, YAML and the like carry the same
// word the protocol does; ErrInvalidPlatform for a value that is not one of the eight.
func (p Platform) MarshalText() ([]byte, error) {
	name, err := p.wireName()
	if err != nil {
		return nil, err
	}
	return []byte(name), nil
}

// UnmarshalText reads a wire name as ParsePlatform does; ErrInvalidPlatform for any other
// text, leaving p unchanged.
func (p *Platform) UnmarshalText(text []byte) error {
	parsed, err := ParsePlatform(string(text))
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

func (p Platform) wireName() (string, error) {
	var name C.psd_str
	if result := C.psd_platform_wire_name(C.psd_platform(p), &name); result != C.PSD_RESULT_OK {
		return "", fmt.Errorf("%w: %d is not one of the eight platforms", kind(resultName(result)), uint32(p))
	}
	return goString(name), nil
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
